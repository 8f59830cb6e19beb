import type { MountRequest } from '@depot/core';
import { ociError } from '../errors.js';
import { checkTag } from '../names.js';

/**
 * Most `tag` parameters one manifest PUT may carry. The distribution spec asks registries to take
 * at least 10 and lets them answer 414 past their limit; each tag is one more record written.
 */
export const MAX_TAG_PARAMS = 100;

/**
 * The tags a manifest PUT asks for: the path's tag for a PUT by tag, else every `tag` query
 * parameter of a PUT by digest (distribution-spec "Pushing Manifests with tags"), each checked
 * like a tag in the path, duplicates dropped, in the order given. `tag` parameters on a PUT by tag
 * are refused (`TAG_INVALID`): the path already names the tag and the two could disagree.
 */
export function requestedTags(req: MountRequest, ref: string, byDigest: boolean): string[] {
  const params = req.query.getAll('tag');
  if (!byDigest) {
    if (params.length > 0) {
      throw ociError('TAG_INVALID', 'tag parameters are only accepted on a PUT by digest', {
        detail: { reference: ref, tag: params },
      });
    }
    return [ref];
  }
  if (params.length > MAX_TAG_PARAMS) {
    throw ociError('UNSUPPORTED', `at most ${MAX_TAG_PARAMS} tag parameters per request`, {
      status: 414,
      detail: { max: MAX_TAG_PARAMS, given: params.length },
    });
  }
  for (const tag of params) checkTag(tag);
  return [...new Set(params)];
}

/** The `OCI-Tag` response header naming every tag a PUT by digest applied (none for a PUT by tag). */
export function ociTagHeader(byDigest: boolean, tags: readonly string[]): Record<string, string> {
  return byDigest && tags.length > 0 ? { 'OCI-Tag': tags.join(', ') } : {};
}
