'use client';

/** The error state of a dashboard query: the API's own message, and a way to try again. */
export function QueryError({ what, error, retry, testId }: { what: string; error: Error; retry: () => void; testId: string }) {
  return (
    <div className="notice error" role="alert" data-testid={testId}>
      Could not load {what}: {error.message}{' '}
      <button type="button" className="secondary" onClick={retry}>Try again</button>
    </div>
  );
}
