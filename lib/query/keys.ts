/** TanStack Query keys in one place, so mutations invalidate exactly what they change. */
export const queryKeys = {
  products: () => ['products'] as const,
  order: (orderId: string) => ['orders', orderId] as const,
};
