// The admin area (loaded on demand: learners never download it). Signed-in users reach it
// through RequireAuth; only the `admin` role sees its sections.
import type { ReactNode } from 'react';
import { useSession } from '../../session';
import { PlacementsPage } from './placementsPage';
import { ReviewPage } from './reviewPage';
import { AdminHome, AdminShell, NotAvailable } from './shell';
import { SitesPage } from './sitesPage';
import '../attest/attest.css';
import './admin.css';

export type AdminSection = 'home' | 'sites' | 'placements' | 'review';

const SECTIONS: Record<AdminSection, () => ReactNode> = {
  home: () => <AdminHome />,
  sites: () => <SitesPage />,
  placements: () => <PlacementsPage />,
  review: () => <ReviewPage />,
};

export function AdminPage({ section }: { section: AdminSection }) {
  const { user } = useSession();
  if (!user || user.role !== 'admin') return <NotAvailable />;
  return <AdminShell>{SECTIONS[section]()}</AdminShell>;
}
