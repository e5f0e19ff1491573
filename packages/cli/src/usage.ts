/** A command line the program cannot act on: printed with the usage text, exit 64. */
export class UsageError extends Error {}

/** `value`, or a usage error naming the missing option. */
export function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`${name}: is required`);
  return value;
}
