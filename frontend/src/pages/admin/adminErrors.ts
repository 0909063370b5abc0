// The sentence an admin screen shows for a failed request: the contract's codes (not in the
// generated enum yet) get ours, or the server's when it names the line or field at fault.
import { ApiError } from '../../api/errors';
import { CONTRACT_MESSAGES, type ContractErrorCode } from './contract';

/** Codes whose server message names the line or field, so it says more than ours. */
const PREFER_SERVER = new Set<ContractErrorCode>(['csv_encoding', 'csv_malformed', 'csv_too_many_rows', 'csv_header']);

export function isContractCode(code: string): code is ContractErrorCode {
  return Object.hasOwn(CONTRACT_MESSAGES, code);
}

export function adminMessage(e: unknown): string {
  if (!(e instanceof ApiError)) return 'Something went wrong. Please try again.';
  if (isContractCode(e.code)) {
    const server = e.serverMessage?.trim();
    return server && PREFER_SERVER.has(e.code) ? server : CONTRACT_MESSAGES[e.code];
  }
  return e.message;
}
