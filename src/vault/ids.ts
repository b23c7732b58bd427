import { fail } from '../errors.ts';
import { VaultErrors } from './errors.ts';

const ID = /^[A-Za-z0-9_-]{1,128}$/;

/** Recording ids become file and object names: only a safe alphabet, so no path can escape its folder. */
export function checkRecordingId(id: string): string {
  if (!ID.test(id))
    throw fail(VaultErrors.INVALID_ID, 'invalid recording id', { recordingId: id.slice(0, 140) });
  return id;
}

/** Where a recording's sealed container lives in the blob store. */
export function blobKeyOf(recordingId: string): string {
  return `recordings/${checkRecordingId(recordingId)}.ecvt`;
}

export function recordingIdOfBlobKey(key: string): string | undefined {
  const m = /^recordings\/([A-Za-z0-9_-]{1,128})\.ecvt$/.exec(key);
  return m?.[1];
}
