// The admin area (loaded on demand: learners never download it). Signed-in users reach it
// through RequireAuth; admins see every section, staff the ones access.ts lets them use.
import type { ReactNode } from 'react';
import { useSession } from '../../session';
import { canUseSection, type AdminSection } from './access';
import { AuditPage } from './auditPage';
import { CertificatesAdminPage } from './certificatesPage';
import { CohortPage } from './cohortPage';
import { CohortsPage } from './cohortsPage';
import { isCohortTab } from './cohortTabs';
import { ItemStatsPage } from './itemStatsPage';
import { PlacementsPage } from './placementsPage';
import { ReviewPage } from './reviewPage';
import { AdminHome, AdminShell, NotAvailable } from './shell';
import { SitesPage } from './sitesPage';
import { UsersPage } from './usersPage';
import '../attest/attest.css';
import './admin.css';

export type { AdminSection } from './access';

type Params = Record<string, string>;

const SECTIONS: Record<AdminSection, (p: Params) => ReactNode> = {
  home: () => <AdminHome />,
  users: () => <UsersPage />,
  cohorts: () => <CohortsPage />,
  cohort: (p) => <CohortPage id={p.id!} tab={isCohortTab(p.tab) ? p.tab : 'members'} />,
  itemStats: () => <ItemStatsPage />,
  certificates: () => <CertificatesAdminPage />,
  audit: () => <AuditPage />,
  sites: () => <SitesPage />,
  placements: () => <PlacementsPage />,
  review: () => <ReviewPage />,
};

export function AdminPage({ section, params = {} }: { section: AdminSection; params?: Params }) {
  const { user } = useSession();
  if (!user || !canUseSection(user.role, section)) return <NotAvailable />;
  return <AdminShell>{SECTIONS[section](params)}</AdminShell>;
}
