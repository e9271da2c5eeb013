/** Display helpers shared by the pages. */

/** +12065550101 → "+1 (206) 555-0101"; other numbers stay as E.164. */
export function phoneNumber(e164: string): string {
  const nanp = /^\+1(\d{3})(\d{3})(\d{4})$/.exec(e164);
  return nanp === null ? e164 : `+1 (${nanp[1]}) ${nanp[2]}-${nanp[3]}`;
}

const ACTIVITY: Record<string, string> = {
  idle: 'Free',
  offered: 'Incoming contact',
  connecting: 'Connecting',
  'on-contact': 'On contact',
  acw: 'After-contact work',
  missed: 'Missed contact',
};

export function activityLabel(activity: string): string {
  return ACTIVITY[activity] ?? activity;
}

/** DISCONNECT_REASON → "Disconnect reason". */
export function reasonLabel(reason: string | null): string {
  if (reason === null) return '';
  const words = reason.toLowerCase().split('_').join(' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}
