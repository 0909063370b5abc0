// The certificate API's shapes: the generated types, named in src/api/types.ts.
export type { Certificate, CertificateStatus, ExternshipFacts, Verification } from '../../api/types';
