/** Whether a weekly schedule (CreateHoursOfOperation's Config) is open at an instant, in its time zone. */
import type { HoursOfOperation, Weekday } from './types.js';

const DAYS: readonly Weekday[] = ['SUNDAY', 'MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY'];
const SHORT_DAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const DAY = 24 * 60;
const WEEK = 7 * DAY;

/** Minutes since Sunday 00:00 in the time zone. Throws RangeError for an unknown zone. */
function minuteOfWeek(at: number, timeZone: string): number {
  const parts = new Intl.DateTimeFormat('en-US', { timeZone, weekday: 'short', hour: 'numeric', minute: 'numeric', hourCycle: 'h23' }).formatToParts(at);
  const part = (type: string): string => parts.find((p) => p.type === type)?.value ?? '';
  return SHORT_DAYS.indexOf(part('weekday')) * DAY + Number(part('hour')) * 60 + Number(part('minute'));
}

/**
 * An entry whose end is not after its start runs past midnight into the next day (00:00–00:00 is the
 * whole day), as Connect's overnight hours do.
 */
export function isOpen(hours: HoursOfOperation, at: number): boolean {
  const now = minuteOfWeek(at, hours.timeZone);
  return hours.config.some(({ Day, StartTime, EndTime }) => {
    const start = DAYS.indexOf(Day) * DAY + StartTime.Hours * 60 + StartTime.Minutes;
    let length = EndTime.Hours * 60 + EndTime.Minutes - (StartTime.Hours * 60 + StartTime.Minutes);
    if (length <= 0) length += DAY;
    return (now - start + WEEK) % WEEK < length;
  });
}
