/**
 * OPPO `registration_id`. OPPO's own validator (opush-server-sdk `Validate`, docs/vendors/oppo.md#device-token) is
 * `((([0-9A-Za-z]{2,10})_)?(.*)_)?[0-9a-fA-F]{32}`: an optional `_`-terminated prefix such as
 * `CN_`, `OPPO_CN_` or `OPPO_SG_`, then 32 hex digits. We anchor it, keep the prefix to printable
 * ASCII without spaces, and bound the whole at 128 characters: real ids are ≤ ~64, the exact upper
 * bound is UNVERIFIED (https://open.oppomobile.com/new/developmentDoc/info?id=11238), so we leave headroom.
 *
 * Canonical form: the id as given. Its validator accepts both cases of the hex part but OPPO never
 * says two spellings are one registration_id, and the prefix is free text; folding could merge
 * two real devices, so pushgate does not.
 */
import { z } from 'zod';

export const OPPO_REGID_PATTERN = /^(?:[\x21-\x7e]*_)?[0-9a-fA-F]{32}$/;

export const oppoTokenSchema = z
  .string()
  .min(32)
  .max(128)
  .regex(OPPO_REGID_PATTERN, 'an OPPO registration_id: optional prefix ending in "_" (CN_, OPPO_CN_…) then 32 hex digits');
