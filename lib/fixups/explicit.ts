/**
 * The words with which a reviewer says where a fixup belongs: "could be folded with
 * patch 8/8", "squash this into 3/8", "on top of 5/8", 'fold into "x86/entry: Remove ..."'.
 */
import { findDiffs } from '../diff.ts';
import { fixesSubject, parseTrailer } from './pseudo.ts';

export interface ExplicitTarget {
  number: number | null;
  total: number | null;
  /** A quoted patch subject the words point at (may end in "..." when abbreviated). */
  subjectQuote: string | null;
  /** The clause that says so, for the UI. */
  phrase: string;
}

const MAX_TEXT = 200_000;
const MAX_PARAGRAPH = 4000;
const MAX_PHRASE = 300;

const VERB = String.raw`(?:fold(?:ed|ing|s)?|squash(?:ed|ing|es)?|fixup|fix-up|fix up|merge[ds]?|merging|meld(?:ed|s)?|amend(?:ed|s)?)`;
const OBJECT = String.raw`(?:\s+(?:this|it|that|these|them|those|the (?:fix|change|changes|diff|patch|below)|my (?:fix|change|changes|diff|patch)|this (?:fix|fixup|change|diff|patch)|below))?`;
const LINK = String.raw`\s+(?:in(?:to)?|with|for|to|onto|on)`;
const PATCH_WORD = String.raw`(?:(?:the\s+)?(?:original\s+|previous\s+|current\s+)?(patch(?:es)?|commit)\s+)?(?:#|no\.\s*)?`;
const NUMBER = String.raw`(\d{1,4})(?:\s*\/\s*(\d{1,4}))?(?![\d/])`;

/** fold/squash/fixup ... into/with/for patch N[/M]. */
const VERB_NUMBER = new RegExp(String.raw`\b${VERB}${OBJECT}${LINK}\s+${PATCH_WORD}${NUMBER}`, 'gi');
/** on top of / for / against patch N/M (weaker words: a total or the word "patch" is required). */
const PLACE_NUMBER = new RegExp(String.raw`\b(on top of|applies to|against|for)\s+${PATCH_WORD}${NUMBER}`, 'gi');
/** fold/squash/fixup ... into "subject" (also with a commit id before the quote). */
const VERB_QUOTE = new RegExp(
  String.raw`\b(?:${VERB}${OBJECT}${LINK}|on top of|for)\s+(?:the\s+)?(?:(?:patch|commit)\s+)?(?:[0-9a-f]{7,40}\s+)?\(?["“'‘]([^"”'’\n]{4,200})["”'’]`,
  'gi',
);

/** Clause boundaries: a sentence end or a semicolon/colon followed by a space. */
function clauseAround(text: string, start: number, end: number): string {
  let left = 0;
  for (let i = start - 1; i > 0 && start - i < MAX_PHRASE; i--) {
    if (/[.!?;:]/.test(text[i]) && /\s/.test(text[i + 1] ?? '')) {
      left = i + 1;
      break;
    }
    if (start - i >= MAX_PHRASE - 1) left = i;
  }
  let right = text.length;
  for (let i = end; i < text.length; i++) {
    if (/[.!?;]/.test(text[i]) && (i + 1 >= text.length || /\s/.test(text[i + 1]))) {
      right = i;
      break;
    }
    if (i - end > MAX_PHRASE) {
      right = i;
      break;
    }
  }
  return text.slice(left, right).replace(/\s+/g, ' ').trim().slice(0, MAX_PHRASE);
}

/** The paragraphs of prose in a text, each joined into one line; diff lines are left out. */
function paragraphs(text: string): string[] {
  const lines = text.slice(0, MAX_TEXT).split('\n');
  const skip = new Uint8Array(lines.length);
  for (const b of findDiffs(lines)) for (let i = b.startLine; i < b.endLine; i++) skip[i] = 1;
  const out: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length) out.push(cur.join(' ').slice(0, MAX_PARAGRAPH));
    cur = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (skip[i] || line === '') {
      flush();
      continue;
    }
    cur.push(line);
  }
  flush();
  return out;
}

function toInt(s: string | undefined): number | null {
  if (s === undefined) return null;
  const n = Number(s);
  return Number.isInteger(n) && n > 0 && n < 10000 ? n : null;
}

/** Every place the text says which patch a fixup belongs to, in order, without repeats. */
export function findExplicitTargets(ownText: string): ExplicitTarget[] {
  const out: ExplicitTarget[] = [];
  const seen = new Set<string>();
  const add = (t: ExplicitTarget) => {
    const key = `${t.number}/${t.total}/${t.subjectQuote?.toLowerCase() ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    out.push(t);
  };
  for (const p of paragraphs(ownText)) {
    const found: { index: number; target: ExplicitTarget }[] = [];
    for (const m of p.matchAll(VERB_NUMBER)) {
      const number = toInt(m[2]);
      const total = toInt(m[3]);
      // "fold into 3" alone could be a count; the word "patch" or an N/M makes it a reference.
      if (number === null || (!m[1] && total === null)) continue;
      if (total !== null && number > total) continue;
      found.push({ index: m.index, target: { number, total, subjectQuote: null, phrase: clauseAround(p, m.index, m.index + m[0].length) } });
    }
    for (const m of p.matchAll(PLACE_NUMBER)) {
      const word = m[1].toLowerCase();
      const number = toInt(m[3]);
      const total = toInt(m[4]);
      if (number === null) continue;
      if (total !== null && number > total) continue;
      // "for 4/18" needs the N/M form; "thanks for patch 3/8" is praise, not a target.
      if ((word === 'for' || word === 'against') && total === null) continue;
      if (word !== 'for' && word !== 'against' && !m[2] && total === null) continue;
      if (word === 'for' && /\b(thanks?|thank you|kudos|credit)\b[^.!?]{0,40}$/i.test(p.slice(Math.max(0, m.index - 60), m.index))) continue;
      found.push({ index: m.index, target: { number, total, subjectQuote: null, phrase: clauseAround(p, m.index, m.index + m[0].length) } });
    }
    for (const m of p.matchAll(VERB_QUOTE)) {
      const quote = m[1].trim();
      if (!/[A-Za-z]{2}/.test(quote)) continue;
      found.push({ index: m.index, target: { number: null, total: null, subjectQuote: quote, phrase: clauseAround(p, m.index, m.index + m[0].length) } });
    }
    found.sort((a, b) => a.index - b.index);
    for (const f of found) add(f.target);
  }
  return out;
}

/** `Fixes: <sha> ("subject")` trailers, as subject references. */
export function targetsFromFixesTrailers(lines: string[]): ExplicitTarget[] {
  const out: ExplicitTarget[] = [];
  for (const line of lines) {
    const t = parseTrailer(line);
    if (!t || t.kind.toLowerCase() !== 'fixes') continue;
    const subjectQuote = fixesSubject(t.name);
    if (subjectQuote) out.push({ number: null, total: null, subjectQuote, phrase: line.trim().slice(0, MAX_PHRASE) });
  }
  return out;
}
