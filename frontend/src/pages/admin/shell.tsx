// The admin area's frame: a navigation of its sections, grouped, showing each role only the
// sections it may use (access.ts), and the page for anyone who may not enter.
import type { ReactNode } from 'react';
import type { Role } from '../../api/types';
import { Link, useLocation, usePageTitle } from '../../router';
import { useSession } from '../../session';
import { canUseSection, type AdminSection } from './access';

export interface AdminLink {
  href: string;
  section: AdminSection;
  label: string;
  /** One sentence for the admin home page. */
  description: string;
}

export interface AdminGroup {
  label: string;
  links: AdminLink[];
}

/** Every section of the admin area. A new section adds a group or a link here. */
export const ADMIN_NAV: readonly AdminGroup[] = [
  {
    label: 'Program',
    links: [
      {
        href: '/admin/cohorts',
        section: 'cohorts',
        label: 'Cohorts',
        description: 'Cohorts and their members, enrolment codes, bulk enrolment, progress, charts, outcomes and exports.',
      },
      { href: '/admin/certificates', section: 'certificates', label: 'Certificates', description: 'Every certificate issued: find one, revoke or reissue it.' },
      {
        href: '/admin/item-statistics',
        section: 'itemStats',
        label: 'Item statistics',
        description: 'How each quiz question performs, with the weak ones flagged for review.',
      },
    ],
  },
  {
    label: 'Accounts',
    links: [
      { href: '/admin/users', section: 'users', label: 'Users', description: 'Find an account, change its role, disable or re-enable it.' },
      { href: '/admin/audit', section: 'audit', label: 'Audit log', description: 'Who did what and when, filtered, with an export.' },
    ],
  },
  {
    label: 'Externship',
    links: [
      { href: '/admin/externship/sites', section: 'sites', label: 'Sites', description: 'The clinical sites learners are placed at: add, edit, archive.' },
      {
        href: '/admin/externship/placements',
        section: 'placements',
        label: 'Placements',
        description: 'Place a learner at a site, with the supervisor who attests their log.',
      },
      { href: '/admin/externship/review', section: 'review', label: 'Review', description: 'Approve or return the entries supervisors attested.' },
    ],
  },
];

/** The groups and links `role` may use (groups left empty are dropped). */
export function navFor(role: Role | undefined): AdminGroup[] {
  return ADMIN_NAV.map((g) => ({ ...g, links: g.links.filter((l) => canUseSection(role, l.section)) })).filter((g) => g.links.length > 0);
}

/** Whether `pathname` is the link's page or a page under it (a cohort under Cohorts). */
const isAt = (pathname: string, href: string) => pathname === href || pathname.startsWith(`${href}/`);

export function AdminShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  const { user } = useSession();
  const nav = navFor(user?.role);
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Admin">
        <p className="admin-nav-title">
          <Link href="/admin" aria-current={pathname === '/admin' ? 'page' : undefined}>
            Admin
          </Link>
        </p>
        {nav.map((g) => (
          <div key={g.label} className="admin-nav-group">
            <p className="admin-nav-label" id={`admin-nav-${g.label}`}>
              {g.label}
            </p>
            <ul aria-labelledby={`admin-nav-${g.label}`}>
              {g.links.map((l) => (
                <li key={l.href}>
                  <Link href={l.href} aria-current={pathname === l.href ? 'page' : isAt(pathname, l.href) ? 'location' : undefined}>
                    {l.label}
                  </Link>
                </li>
              ))}
            </ul>
          </div>
        ))}
      </nav>
      <div className="admin-main">{children}</div>
    </div>
  );
}

export function AdminHome() {
  usePageTitle('Admin');
  const { user } = useSession();
  return (
    <section>
      <h1>Admin</h1>
      <p>
        {user?.role === 'staff'
          ? 'Run your cohorts: their members and codes, progress, reports, and the review of their externship records.'
          : 'Run the program: cohorts and their progress, accounts, certificates, the audit log and the externship.'}
      </p>
      {navFor(user?.role).map((g) => (
        <div key={g.label}>
          <h2>{g.label}</h2>
          <ul className="cards admin-cards">
            {g.links.map((l) => (
              <li key={l.href} className="card">
                <h3>
                  <Link href={l.href}>{l.label}</Link>
                </h3>
                <p>{l.description}</p>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </section>
  );
}

export function NotAvailable() {
  usePageTitle('Not available');
  return (
    <section className="narrow">
      <h1>This page is not available</h1>
      <p>This part of the admin area is for the program’s administrators or staff, and your account may not use it.</p>
      <p>
        If you think it should be, ask an administrator. Otherwise, go back to <Link href="/dashboard">your learning</Link>.
      </p>
    </section>
  );
}
