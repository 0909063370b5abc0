// TEMPORARY: the certificate API's shapes by hand, until the generated types exist; they are
// replaced by aliases of components['schemas'] in src/api/types.ts.
export type CertificateStatus = 'active' | 'expired' | 'revoked' | 'superseded';

export interface ExternshipFacts {
  hours: number;
  collections: number;
  competencies: string[];
}

export interface Certificate {
  id: string;
  serial: string;
  code: string;
  status: CertificateStatus;
  holder_name: string;
  course: { slug: string; title: string; version: number };
  enrolment_id: string;
  completed_at: string;
  issued_at: string;
  expires_at?: string | null;
  contact_hours: number;
  externship?: ExternshipFacts | null;
  revoked_at?: string | null;
  revoked_reason?: string | null;
  superseded_by?: string | null;
  links: {
    verify: string;
    pdf_a4: string;
    pdf_letter: string;
    credential_jwt: string;
    credential_json: string;
    linkedin: string;
  };
}

export interface Verification {
  valid: boolean;
  status: CertificateStatus;
  code: string;
  serial: string;
  holder_name: string;
  course_title: string;
  course_version: number;
  completed_at: string;
  issued_at: string;
  expires_at?: string | null;
  contact_hours: number;
  externship?: ExternshipFacts | null;
  issuer: { name: string; url: string };
  revoked_at?: string | null;
  superseded_by?: { code: string; verify_url: string } | null;
  checked_at: string;
}
