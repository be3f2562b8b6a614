/** Version of the contract documents; bump the minor on an added field or topic. */
export const CONTRACTS_VERSION = '1.1.0';
