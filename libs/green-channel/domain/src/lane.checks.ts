import type { Reason } from '@cic/contracts';
import type { CreditTier, EnterpriseProfile } from './enterprise.types';
import { isIsoDate, minusYears } from './iso-date';
import { labHistoryFindings, labWindowStart } from './lab-history.rules';
import {
  CHECK,
  type DeclaredDocument,
  documentsToVerify,
  type LaneCheck,
  type LaneInput,
} from './lane.types';
import { alertMatches } from './risk-alert.index';
import type { GreenChannelRules } from './rules.config';

/** One check of a lane decision: what it reports and which findings it raises, by kind. */
export interface CheckResult {
  check: LaneCheck;
  /** Findings that send the declaration to RED whatever else holds. */
  hardStops: Reason[];
  /** Findings that send it to YELLOW. */
  criteria: Reason[];
}

export const reason = (code: string, message: string, messageZh: string): Reason => ({
  code,
  message,
  messageZh,
});

const result = (
  name: string,
  outcome: LaneCheck['outcome'],
  detail: string,
  findings: { hardStops?: Reason[]; criteria?: Reason[] } = {},
): CheckResult => ({
  check: { name, outcome, detail },
  hardStops: findings.hardStops ?? [],
  criteria: findings.criteria ?? [],
});

/** An enterprise not on file is decided as REGULAR with no history (and never GREEN: see historyCheck). */
export const effectiveTier = (profile: EnterpriseProfile | null): CreditTier => profile?.tier ?? 'REGULAR';

export function tierCheck(profile: EnterpriseProfile | null): CheckResult {
  if (!profile) return result(CHECK.tier, 'PASS', 'enterprise not on file: decided as REGULAR');
  if (profile.tier !== 'SERIOUSLY_DISCREDITED') return result(CHECK.tier, 'PASS', `tier ${profile.tier}`);
  return result(CHECK.tier, 'FAIL', 'tier SERIOUSLY_DISCREDITED: hard stop', {
    hardStops: [
      reason(
        'ENTERPRISE_SERIOUSLY_DISCREDITED',
        `Enterprise ${profile.code} is seriously discredited: every declaration is inspected`,
        `企业${profile.code}为严重失信主体，须实施查验`,
      ),
    ],
  });
}

export function riskAlertCheck(input: LaneInput): CheckResult {
  const { matchedAlerts, lines, destinationCountry: dest, asOf } = input;
  const hardStops: Reason[] = [];
  const hits: string[] = [];
  for (const alert of matchedAlerts) {
    const hitLines = lines.filter((l) => alertMatches(alert, l.hsCode, dest, asOf));
    if (hitLines.length === 0) continue;
    const lineText = hitLines.map((l) => `${l.lineNo} (${l.hsCode})`).join(', ');
    const period = `active ${alert.validFrom} to ${alert.validUntil ?? 'open end'}`;
    hits.push(`${alert.id} on lines ${hitLines.map((l) => l.lineNo).join(', ')}`);
    hardStops.push(
      reason(
        'RISK_ALERT_MATCH',
        `Risk alert ${alert.id} (${alert.source}, HS ${alert.hsPrefix}, ${period}) matches line ${lineText} to ${dest}: ${alert.description}`,
        `商品项${hitLines.map((l) => l.lineNo).join('、')}命中风险预警${alert.id}（${alert.source}，HS ${alert.hsPrefix}，目的国${dest}）：${alert.description}`,
      ),
    );
  }
  if (hits.length === 0)
    return result(
      CHECK.riskAlerts,
      'PASS',
      `no active alert on ${asOf} matches the ${lines.length} line(s) to ${dest} (${matchedAlerts.length} supplied)`,
    );
  return result(CHECK.riskAlerts, 'FAIL', `matched: ${hits.join('; ')}`, { hardStops });
}

export function labHistoryCheck(input: LaneInput, rules: GreenChannelRules): CheckResult {
  const linesByHeading = new Map<string, number[]>();
  for (const l of input.lines) {
    const heading = l.hsCode.slice(0, 4);
    linesByHeading.set(heading, [...(linesByHeading.get(heading) ?? []), l.lineNo]);
  }
  const start = labWindowStart(input.asOf, rules);
  // Only the headings declared matter: history of other goods does not stop these.
  const findings = labHistoryFindings(input.labCounts, rules).filter((f) => linesByHeading.has(f.heading));
  const hardStops = findings
    .filter((f) => f.hardStop)
    .map((f) =>
      reason(
        'LAB_HISTORY_FAILED',
        `HS heading ${f.heading} (lines ${linesByHeading.get(f.heading)!.join(', ')}): ${f.passes} of ${f.samples} samples passed after ${start}, at least ${rules.labMinSamples} samples with a pass rate below ${rules.labMinPassRate}`,
        `品目${f.heading}近${rules.labWindowMonths}个月抽检${f.samples}批次、合格${f.passes}批次，合格率低于${rules.labMinPassRate}`,
      ),
    );
  const criteria = findings
    .filter((f) => f.invalid)
    .map((f) =>
      reason(
        'LAB_HISTORY_INVALID',
        `Lab counts for HS heading ${f.heading} are not valid, so the sampling history cannot clear it`,
        `品目${f.heading}抽检统计数据无效，无法据此放行`,
      ),
    );
  const detail = findings.length
    ? `window after ${start}: ${findings.map((f) => f.detail).join('; ')}`
    : `window after ${start}: no sampling history for heading(s) ${[...linesByHeading.keys()].join(', ')}`;
  return result(CHECK.labHistory, hardStops.length || criteria.length ? 'FAIL' : 'PASS', detail, {
    hardStops,
    criteria,
  });
}

export function requiredDocumentsCheck(
  documents: readonly DeclaredDocument[],
  rules: GreenChannelRules,
): CheckResult {
  const present = new Set(documents.map((d) => d.kind));
  const missing = rules.requiredDocuments.filter((k) => !present.has(k));
  if (missing.length === 0)
    return result(
      CHECK.documentsRequired,
      'PASS',
      `present: ${rules.requiredDocuments.join(', ') || 'none required'}`,
    );
  return result(CHECK.documentsRequired, 'FAIL', `missing: ${missing.join(', ')}`, {
    criteria: missing.map((kind) =>
      reason(
        'REQUIRED_DOCUMENT_MISSING',
        `The required document ${kind} is missing`,
        `缺少必备单证：${kind}`,
      ),
    ),
  });
}

/** 无纸化报检 is for paperlessTiers (REGULAR and above); below, every document needs a uri to verify. */
export function paperlessCheck(input: LaneInput, rules: GreenChannelRules): CheckResult {
  const tier = effectiveTier(input.profile);
  if (rules.paperlessTiers.includes(tier))
    return result(CHECK.paperless, 'PASS', `tier ${tier} may declare paperless`);
  const withoutUri = input.documents.filter((d) => documentsToVerify([d]).length === 0);
  if (withoutUri.length === 0)
    return result(CHECK.paperless, 'PASS', `tier ${tier}: every document has a uri to verify`);
  return result(
    CHECK.paperless,
    'FAIL',
    `tier ${tier} may not declare paperless: no uri for ${withoutUri.map((d) => d.number).join(', ')}`,
    {
      criteria: withoutUri.map((d) =>
        reason(
          'DOCUMENT_URI_REQUIRED',
          `Tier ${tier} may not declare paperless: document ${d.kind} ${d.number} has no uri to verify`,
          `信用等级${tier}不适用无纸化报检，单证${d.number}须提供电子文件地址`,
        ),
      ),
    },
  );
}

export function documentVerificationCheck(input: LaneInput, timedOut: boolean): CheckResult {
  const toVerify = documentsToVerify(input.documents);
  if (toVerify.length === 0)
    return result(CHECK.documentVerification, 'SKIPPED', 'no document carries a uri');
  const criteria: Reason[] = [];
  const notes: string[] = [];
  for (const d of toVerify) {
    const r = input.documentResults?.[d.number];
    const doc = `${d.kind} ${d.number}`;
    if (!r) {
      notes.push(`${d.number}: ${timedOut ? 'pending' : 'not verified'}`);
      // A timeout is reported once as CHECK_TIMEOUT; otherwise an unverified document is doubt.
      if (!timedOut)
        criteria.push(
          reason(
            'DOCUMENT_NOT_VERIFIED',
            `Document ${doc} has a uri but was not verified`,
            `单证${d.number}未经核验`,
          ),
        );
    } else if (r.status === 'MATCH') {
      notes.push(`${d.number}: sha256 matches`);
    } else if (r.status === 'MISMATCH') {
      notes.push(`${d.number}: sha256 mismatch`);
      criteria.push(
        reason(
          'DOCUMENT_HASH_MISMATCH',
          `Document ${doc}: declared sha256 ${r.expected}, fetched ${r.actual}`,
          `单证${d.number}的SHA-256与下载文件不一致（申报${r.expected}，实际${r.actual}）`,
        ),
      );
    } else if (r.status === 'UNREACHABLE') {
      notes.push(`${d.number}: unreachable`);
      criteria.push(
        reason(
          'DOCUMENT_UNREACHABLE',
          `Document ${doc} could not be fetched: ${r.error}`,
          `单证${d.number}无法获取：${r.error}`,
        ),
      );
    } else {
      notes.push(`${d.number}: location not allowed`);
      criteria.push(
        reason(
          'DOCUMENT_LOCATION_NOT_ALLOWED',
          `Document ${doc} is not at an allowed location: ${r.reason}`,
          `单证${d.number}的地址不在允许范围内：${r.reason}`,
        ),
      );
    }
  }
  return result(CHECK.documentVerification, criteria.length ? 'FAIL' : 'PASS', notes.join('; '), {
    criteria,
  });
}

/**
 * At least minHistoryYears of history: historySince on or before asOf minus that many years (so exactly
 * one year to the day is enough; historySince 2024-02-29 is enough from 2025-03-01, as 2025-02-28 minus
 * one year is 2024-02-28). No profile or no recorded history is not enough.
 */
export function historyCheck(
  profile: EnterpriseProfile | null,
  asOf: string,
  rules: GreenChannelRules,
): CheckResult {
  if (!profile)
    return result(CHECK.history, 'FAIL', 'enterprise not on file: no history', {
      criteria: [
        reason(
          'ENTERPRISE_NOT_ON_FILE',
          'The enterprise is not on file: decided as REGULAR with no history, so its documents are reviewed',
          '企业未备案，按一般信用企业且无历史记录处理，须审核单证',
        ),
      ],
    });
  const needed = minusYears(asOf, rules.minHistoryYears);
  const since = profile.historySince;
  if (since !== null && isIsoDate(since) && since <= needed)
    return result(CHECK.history, 'PASS', `history since ${since} (needs on or before ${needed})`);
  const what =
    since === null
      ? 'no recorded history'
      : isIsoDate(since)
        ? `history since ${since}`
        : `unreadable history date ${JSON.stringify(since)}`;
  return result(CHECK.history, 'FAIL', `${what} (needs on or before ${needed})`, {
    criteria: [
      reason(
        'ENTERPRISE_HISTORY_SHORT',
        `Enterprise ${profile.code} has ${what}: less than ${rules.minHistoryYears} year(s) before ${asOf} (needs on or before ${needed})`,
        `企业${profile.code}报检历史不足${rules.minHistoryYears}年（需在${needed}或之前开始）`,
      ),
    ],
  });
}
