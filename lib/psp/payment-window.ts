/**
 * Builds the URL that opens the PSP's payment window (the "request" step). Against the sandbox
 * this is its window page; Toss's own window is opened by its browser SDK with the same fields.
 * Pure: runs in the browser.
 */
export interface PaymentWindowRequest {
  windowUrl: string;
  clientKey: string;
  orderId: string;
  orderName: string;
  amount: number;
  currency: string;
  successUrl: string;
  failUrl: string;
  /** The shop's name for the window (the PSP contract may be the platform's); optional. */
  shopName?: string;
  /** Toss's requestPayment `method` (and `easyPay` for a card through a provider); the window preselects it. */
  method?: string;
  easyPay?: string;
}

export function paymentWindowUrl(req: PaymentWindowRequest, origin: string): string {
  const url = new URL(req.windowUrl, origin);
  const { windowUrl: _ignored, ...params } = req;
  for (const [k, v] of Object.entries(params)) if (v !== undefined) url.searchParams.set(k, String(v));
  return url.toString();
}
