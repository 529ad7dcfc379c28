/** One page of a merchant's list, with what a pager needs. */
export interface Page<T> {
  rows: T[];
  page: number;
  pageSize: number;
  total: number;
  pageCount: number;
}
