// A Linux process's state line (/proc/<pid>/stat), read past its command name (which may hold spaces and
// parentheses): the fields from the state on, so field 0 is the state letter and field 1 the parent's pid.

/** The fields after the command name of a stat line. */
export function procStatFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}
