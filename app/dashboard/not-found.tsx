import { NotFoundMessage } from '@/components/not-found-message';

/** Inside the dashboard's frame (header, navigation): an unknown or another merchant's id. */
export default function DashboardNotFound() {
  return <NotFoundMessage home="/dashboard" />;
}
