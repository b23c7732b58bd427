/**
 * The reference Ogg Opus tools (Debian `opus-tools`: opusinfo, opusdec, opusenc) for suites that check
 * Ecoute's stored audio against an independent implementation. When they are missing the suites are
 * skipped with a visible notice, unless ECOUTE_TEST_REQUIRE_OPUS_TOOLS=1 (set by .ci/run), in which case
 * they fail.
 */
import { spawnSync } from 'node:child_process';

const REQUIRED = process.env.ECOUTE_TEST_REQUIRE_OPUS_TOOLS === '1';

function installed(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).error === undefined;
}

let checked: boolean | undefined;

/** True when opusinfo, opusdec and opusenc run; throws if they are required and missing. */
export function opusToolsAvailable(): boolean {
  checked ??= (() => {
    const ok = ['opusinfo', 'opusdec', 'opusenc'].every(installed);
    if (!ok && REQUIRED) throw new Error('ECOUTE_TEST_REQUIRE_OPUS_TOOLS=1 but opus-tools is not installed');
    if (!ok)
      process.stderr.write('\nNOTICE: opus-tools not installed: Ogg Opus interop checks are SKIPPED.\n\n');
    return ok;
  })();
  return checked;
}
