import type { FieldError } from '@cic/contracts';

/** RFC 6901 JSON Pointer of a path, escaping "~" and "/". */
export function toPointer(path: ReadonlyArray<PropertyKey>): string {
  return path.map((p) => '/' + String(p).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}

type Messages = { en: string; zh: string };

/** English and Chinese text for each error code; `{x}` placeholders are filled from params. */
const TEXT: Record<string, Messages> = {
  REQUIRED: { en: 'is required', zh: '为必填项' },
  WRONG_TYPE: { en: 'must be {expected}', zh: '类型应为{expected}' },
  FORMAT: { en: 'must be {format}', zh: '格式不正确，应为{format}' },
  TOO_SHORT: { en: 'must have at least {minimum} {unit}', zh: '至少需要{minimum}个{unitZh}' },
  TOO_LONG: { en: 'must have at most {maximum} {unit}', zh: '最多允许{maximum}个{unitZh}' },
  OUT_OF_RANGE: { en: 'must be between {minimum} and {maximum}', zh: '应在{minimum}与{maximum}之间' },
  NOT_ALLOWED: { en: 'must be one of {values}', zh: '取值应为{values}之一' },
  NOT_AN_OBJECT: { en: 'the body must be a JSON object', zh: '报文必须是JSON对象' },
  USCC_LENGTH: { en: 'a unified social credit code has 18 characters', zh: '统一社会信用代码应为18位' },
  USCC_CHARACTER: {
    en: 'a unified social credit code uses only digits and the letters A-H, J-N, P, Q, R, T, U, W, X, Y',
    zh: '统一社会信用代码含有非法字符',
  },
  USCC_CHECK_CHARACTER: {
    en: 'the check character of the unified social credit code is wrong (GB 32100-2015)',
    zh: '统一社会信用代码校验码错误（GB 32100-2015）',
  },
  UNKNOWN_COUNTRY: {
    en: '"{value}" is not an ISO 3166-1 alpha-2 country code',
    zh: '"{value}"不是有效的ISO 3166-1国家代码',
  },
  UNKNOWN_CURRENCY: {
    en: '"{value}" is not an ISO 4217 currency code',
    zh: '"{value}"不是有效的ISO 4217币种代码',
  },
  UNKNOWN_LOCODE: {
    en: '"{value}" is not a UN/LOCODE of a known country',
    zh: '"{value}"不是有效的联合国贸易地点代码',
  },
  PORT_NOT_IN_CHINA: {
    en: 'the port of exit of an export must be in China (CN...)',
    zh: '出口离境口岸必须为中国口岸',
  },
  NOT_POSITIVE: { en: 'must be greater than zero', zh: '必须大于零' },
  DUPLICATE_LINE_NO: { en: 'line number {value} is used more than once', zh: '商品项号{value}重复' },
  REQUIRED_DOCUMENT_MISSING: { en: 'a {value} document is required', zh: '缺少必备单证：{valueZh}' },
  UNKNOWN_LINE: { en: 'line {value} is not among the goods', zh: '商品项号{value}不存在' },
  INVALID_DATE: { en: '"{value}" is not a calendar date', zh: '"{value}"不是有效日期' },
  // Hostile input guard (input-guard.ts): found before any schema looks at the body.
  TOO_DEEP: { en: 'is nested deeper than {maximum} levels', zh: '嵌套层级超过{maximum}层' },
  TOO_MANY_ELEMENTS: {
    en: 'the body has more than {maximum} values',
    zh: '报文所含数据元素超过{maximum}个',
  },
  CONTROL_CHARACTER: {
    en: 'the {part} contains a control character that is not allowed',
    zh: '{partZh}含有不允许的控制字符',
  },
  INVALID_UNICODE: {
    en: 'the {part} contains an unpaired surrogate, which is not valid Unicode',
    zh: '{partZh}含有无效的Unicode字符（孤立代理项）',
  },
  STRING_TOO_LONG: {
    en: 'the {part} is longer than {maximum} characters',
    zh: '{partZh}长度超过{maximum}个字符',
  },
  NUMBER_OUT_OF_RANGE: {
    en: 'the number is beyond ±{maximum} or cannot be represented exactly',
    zh: '数值超出±{maximum}范围或无法精确表示',
  },
  NOT_FINITE: { en: 'must be a finite number', zh: '必须为有限数值' },
};

const DOC_ZH: Record<string, string> = { INVOICE: '发票', PACKING_LIST: '装箱单' };
const UNIT_ZH: Record<string, string> = { items: '项', characters: '字符' };

export function fieldError(
  pointer: string,
  code: string,
  params: Record<string, string | number> = {},
): FieldError {
  const text = TEXT[code] ?? { en: code, zh: code };
  const all: Record<string, string | number> = {
    ...params,
    unitZh: UNIT_ZH[String(params['unit'])] ?? String(params['unit'] ?? ''),
    valueZh: DOC_ZH[String(params['value'])] ?? String(params['value'] ?? ''),
  };
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, k: string) => String(all[k] ?? ''));
  return { pointer, code, message: fill(text.en), messageZh: fill(text.zh) };
}
