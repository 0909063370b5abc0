// File names of the CSV exports: the cohort's name made safe for a file system, the kind, the day.
export function slugify(s: string): string {
  return (
    s
      .normalize('NFD')
      .replace(/\p{M}/gu, '')
      .toLowerCase()
      .replace(/[^a-z0-9]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 60) || 'cohort'
  );
}

export function exportFileName(cohortName: string, kind: string, today = new Date()): string {
  return `${slugify(cohortName)}-${kind}-${today.toISOString().slice(0, 10)}.csv`;
}
