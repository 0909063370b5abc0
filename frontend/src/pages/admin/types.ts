// Names for the generated OpenAPI types the admin screens use (see ../attest/types.ts for why
// they live beside the pages for now).
import type { components } from '../../api/schema';

type S = components['schemas'];
export type Site = S['Site'];
export type SiteInput = S['SiteInput'];
export type Placement = S['Placement'];
export type PlacementInput = S['PlacementInput'];
export type NewPlacementBody = S['NewPlacementBody'];
export type EnrolmentLabel = S['EnrolmentLabel'];
export type Overview = S['Overview'];
export type ReviewQueue = S['ReviewQueue'];
export type ReviewItem = S['ReviewItem'];
export type ReviewItemDecision = S['ReviewItemDecision'];
export type Review = S['Review'];
export type ReviewResult = S['ReviewResult'];
export type Summary = S['Summary'];
export type Measure = S['Measure'];
// Accounts, certificates and item statistics (routes already on main).
export type AdminUser = S['AdminUserView'];
export type UserPage = S['UserPage'];
export type UpdateUserRequest = S['UpdateUserRequest'];
export type AdminCertificate = S['Certificate'];
export type CertificatePage = S['CertificatePage'];
export type QuestionStats = S['QuestionStats'];
export type ItemStats = S['ItemStats'];

/** Limits of the directory's fields (src/externship/directory.rs; not in the OpenAPI document yet). */
export const SITE_LIMITS = {
  name: 200,
  address: 500,
  department: 100,
  departments: 30,
  contactName: 200,
  contactPhone: 50,
  email: 254,
} as const;

export const PLACEMENT_LIMITS = {
  supervisorName: 200,
  credential: 100,
  email: 254,
  /** The most days from start to end (three years). */
  days: 1096,
} as const;
