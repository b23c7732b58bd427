/**
 * The lifecycle of one recorded call, as a pure state machine (DESIGN.md "The flow of one call").
 * Capture adapters and the recorder feed it events; it answers the next state and the effects to carry out,
 * so the order of compliance steps (objection destroys, pause gates, nothing after the end) lives in one
 * tested place and not in each protocol adapter.
 */

export type CallState =
  | { readonly kind: 'recording'; readonly since: number }
  | { readonly kind: 'paused'; readonly since: number; readonly reason: PauseReason }
  | { readonly kind: 'ended'; readonly at: number; readonly reason: EndReason }
  | { readonly kind: 'objected'; readonly at: number }
  | { readonly kind: 'card_data_destroyed'; readonly at: number }
  | { readonly kind: 'personal_destroyed'; readonly at: number };

export type PauseReason = 'agent' | 'crm' | 'ivr' | 'api' | 'sip_reinvite' | 'secure_flow';
export type EndReason = 'completed' | 'hangup' | 'vanished' | 'error' | 'agent_uninformed';

export type CallEvent =
  | { readonly kind: 'pause'; readonly at: number; readonly reason: PauseReason }
  | { readonly kind: 'resume'; readonly at: number }
  /** R-CAL-2: the caller objected (key press, or the agent's button when spoken). */
  | { readonly kind: 'objection'; readonly at: number; readonly by: 'dtmf' | 'agent' | 'api' }
  /** R-PCI-3: card data was captured anyway: the audio is destroyed at once. */
  | { readonly kind: 'card_data'; readonly at: number }
  /** R-EMP-4: the agent flagged the call as personal: recording and listening stop, the audio is destroyed. */
  | { readonly kind: 'personal'; readonly at: number }
  | { readonly kind: 'end'; readonly at: number; readonly reason: EndReason };

/** What the recorder must do, in order. */
export type CallEffect =
  | { readonly kind: 'gate_closed' } // stop letting audio reach the writer and listeners (R-PCI-1)
  | { readonly kind: 'gate_opened' }
  | { readonly kind: 'disconnect_listeners'; readonly rule: DestroyRule | 'R-PCI-1' }
  | { readonly kind: 'destroy_audio'; readonly rule: DestroyRule } // spool and data key
  | { readonly kind: 'seal' }
  | {
      readonly kind: 'log';
      readonly action: 'objection' | 'pause' | 'resume' | 'card_data' | 'personal_call';
    }
  | { readonly kind: 'mark_segment'; readonly segment: 'paused'; readonly from: number; readonly to: number };

/** The rules under which a call's audio is destroyed before it is ever sealed. */
export type DestroyRule = 'R-CAL-2' | 'R-PCI-3' | 'R-EMP-4';

export interface Transition {
  readonly state: CallState;
  readonly effects: readonly CallEffect[];
}

const isOver = (s: CallState): boolean => s.kind !== 'recording' && s.kind !== 'paused';

function destroyed(
  state: CallState,
  rule: DestroyRule,
  action: 'objection' | 'card_data' | 'personal_call',
): Transition {
  return {
    state,
    effects: [
      { kind: 'gate_closed' },
      { kind: 'disconnect_listeners', rule },
      { kind: 'destroy_audio', rule },
      { kind: 'log', action },
    ],
  };
}

/** Applies one event. Events after the end are ignored (no effect), so late packets or clicks are harmless. */
export function nextState(state: CallState, event: CallEvent): Transition {
  if (isOver(state)) return { state, effects: [] };
  switch (event.kind) {
    case 'pause':
      if (state.kind === 'paused') return { state, effects: [] };
      return {
        state: { kind: 'paused', since: event.at, reason: event.reason },
        effects: [
          { kind: 'gate_closed' },
          { kind: 'disconnect_listeners', rule: 'R-PCI-1' },
          { kind: 'log', action: 'pause' },
        ],
      };
    case 'resume':
      if (state.kind !== 'paused') return { state, effects: [] };
      return {
        state: { kind: 'recording', since: event.at },
        effects: [
          { kind: 'mark_segment', segment: 'paused', from: state.since, to: event.at },
          { kind: 'gate_opened' },
          { kind: 'log', action: 'resume' },
        ],
      };
    case 'objection':
      return destroyed({ kind: 'objected', at: event.at }, 'R-CAL-2', 'objection');
    case 'card_data':
      return destroyed({ kind: 'card_data_destroyed', at: event.at }, 'R-PCI-3', 'card_data');
    case 'personal':
      return destroyed({ kind: 'personal_destroyed', at: event.at }, 'R-EMP-4', 'personal_call');
    case 'end': {
      // No gate_closing here: the media's tail (still in the jitter buffer) belongs to the recording;
      // `seal` drains it, then stops media.
      const effects: CallEffect[] = [];
      if (state.kind === 'paused')
        effects.push({ kind: 'mark_segment', segment: 'paused', from: state.since, to: event.at });
      effects.push({ kind: 'seal' });
      return { state: { kind: 'ended', at: event.at, reason: event.reason }, effects };
    }
  }
}

export const initialState = (at: number): CallState => ({ kind: 'recording', since: at });
