/** Section B of the rulebook, as far as a policy file can say it: screen and camera (R-SCR-1, R-SCR-2). */
import type { Policy } from './policy.types.ts';
import { at, violation, type Violation } from './violation.ts';

export function checkScreen(p: Policy, base: string): Violation[] {
  const out: Violation[] = [];
  if (p.screenshots)
    out.push(
      violation(
        'R-SCR-1',
        at(base, 'screenshots'),
        'les captures d’écran couplées aux enregistrements ne sont jamais proposées',
        'screenshots coupled with recordings are never offered',
      ),
    );
  if (p.screenVideo) {
    const onlyTraining = p.purposes.length === 1 && p.purposes[0] === 'training';
    if (!onlyTraining)
      out.push(
        violation(
          'R-SCR-1',
          at(base, 'screenVideo'),
          'la vidéo d’écran n’est admise que pour la seule finalité training',
          'screen video is allowed only when the only purpose is training',
        ),
      );
    if (!p.screenVideoApplication?.trim())
      out.push(
        violation(
          'R-SCR-1',
          at(base, 'screenVideoApplication'),
          'la vidéo d’écran doit être limitée à la fenêtre de l’application métier : nommez-la',
          'screen video must be limited to the business application’s window: name it',
        ),
      );
  }
  if (p.cameraRecording)
    out.push(
      violation(
        'R-SCR-2',
        at(base, 'cameraRecording'),
        'aucun enregistrement par caméra ou audiovisuel des agents',
        'no camera or audiovisual recording of agents',
      ),
    );
  return out;
}
