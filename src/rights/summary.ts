/** Human-readable, bilingual lines about one recording, for the access export (R-DSR-2). */
import type { Recording } from '../db/recordings.repo.ts';

const iso = (ms: number | undefined): string => (ms === undefined ? '-' : new Date(ms).toISOString());
const secs = (ms: number | undefined): string => (ms === undefined ? '-' : (ms / 1000).toFixed(1));

export function callSummary(lang: 'fr' | 'en', r: Recording, documents: number): string {
  const purposes = r.purposes.join(', ');
  if (lang === 'fr')
    return [
      `- Enregistrement ${r.id} (appel ${r.callId})`,
      `  début ${iso(r.startedAt)}, durée ${secs(r.durationMs)} s, sens ${r.direction === 'inbound' ? 'entrant' : 'sortant'}`,
      `  finalités : ${purposes} ; politique ${r.policyId} v${r.policyVersion}`,
      `  conservé jusqu'au ${iso(r.expiresAt)} ; documents d'analyse : ${documents}`,
      `  audio : ${r.blobKey === undefined ? 'supprimé (fenêtre de revue)' : `recordings/${r.id}.wav (gauche : conseiller, droite : vous)`}`,
    ].join('\n');
  return [
    `- Recording ${r.id} (call ${r.callId})`,
    `  started ${iso(r.startedAt)}, duration ${secs(r.durationMs)} s, ${r.direction}`,
    `  purposes: ${purposes}; policy ${r.policyId} v${r.policyVersion}`,
    `  kept until ${iso(r.expiresAt)}; analysis documents: ${documents}`,
    `  audio: ${r.blobKey === undefined ? 'deleted (review window)' : `recordings/${r.id}.wav (left: agent, right: you)`}`,
  ].join('\n');
}
