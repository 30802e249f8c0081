/**
 * Clean-up that cannot hang a suite: closing a browser or a server under heavy CI load sometimes
 * stalls; after `ms` the test run moves on (the process exits at the end anyway).
 */
export async function within(what: string, work: Promise<unknown> | undefined, ms = 15_000): Promise<void> {
  if (!work) return;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      console.warn(`${what} did not finish within ${ms} ms; moving on`);
      resolve();
    }, ms);
  });
  await Promise.race([work.catch((err) => console.warn(`${what} failed`, err)), late]);
  clearTimeout(timer);
}
