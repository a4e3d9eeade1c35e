/** What staff can search a case by, in the order the form offers them. Shared with the browser. */
export const CASE_SEARCH_KINDS = [
  'email',
  'phone',
  'member-id',
  'buyer-id',
  'employee-id',
  'warehouse-id',
  'letter-code',
  'message-ref',
  'kana-birth',
] as const
export type CaseSearchKind = (typeof CASE_SEARCH_KINDS)[number]
