// The admin area's frame: a navigation of its sections (grouped, so later sections such as
// cohorts and dashboards join a list), and the page for anyone who is not an admin.
import type { ReactNode } from 'react';
import { Link, useLocation, usePageTitle } from '../../router';

export interface AdminLink {
  href: string;
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
    label: 'Externship',
    links: [
      { href: '/admin/externship/sites', label: 'Sites', description: 'The clinical sites learners are placed at: add, edit, archive.' },
      {
        href: '/admin/externship/placements',
        label: 'Placements',
        description: 'Place a learner at a site, with the supervisor who attests their log.',
      },
      { href: '/admin/externship/review', label: 'Review', description: 'Approve or return the entries supervisors attested.' },
    ],
  },
];

export function AdminShell({ children }: { children: ReactNode }) {
  const { pathname } = useLocation();
  return (
    <div className="admin">
      <nav className="admin-nav" aria-label="Admin">
        <p className="admin-nav-title">
          <Link href="/admin" aria-current={pathname === '/admin' ? 'page' : undefined}>
            Admin
          </Link>
        </p>
        {ADMIN_NAV.map((g) => (
          <div key={g.label} className="admin-nav-group">
            <p className="admin-nav-label" id={`admin-nav-${g.label}`}>
              {g.label}
            </p>
            <ul aria-labelledby={`admin-nav-${g.label}`}>
              {g.links.map((l) => (
                <li key={l.href}>
                  <Link href={l.href} aria-current={pathname === l.href ? 'page' : undefined}>
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
  return (
    <section>
      <h1>Admin</h1>
      <p>Run the program: the clinical site directory, learners’ placements, and the review of attested externship records.</p>
      {ADMIN_NAV.map((g) => (
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
      <p>The admin area is for the program’s administrators, and your account is not one.</p>
      <p>
        If you think it should be, ask an administrator. Otherwise, go back to <Link href="/dashboard">your learning</Link>.
      </p>
    </section>
  );
}
