/** Mail text as the pages show it: diffs colored, quoted runs folded (app/ui/mail-blocks.tsx draws it). */
import { MailBlocks } from './mail-blocks.tsx';
import { mailBlocks } from './mail-lines.ts';

export function MailText({ text, fold = true, rawHref }: { text: string; fold?: boolean; rawHref?: string }) {
  const { blocks, cutLines } = mailBlocks(text, fold);
  return <MailBlocks blocks={blocks} cutLines={cutLines} rawHref={rawHref} />;
}
