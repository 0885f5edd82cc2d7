/** A person as named in a From:, To: or trailer line. */
export interface Address {
  name: string;
  email: string;
}

/** A non-body MIME part. Text parts keep their decoded text, because patches and build logs travel as attachments. */
export interface MailAttachment {
  filename: string | null;
  contentType: string;
  size: number;
  text: string | null;
}

/** Why a message could not be taken at face value. Stored with the raw message and shown to the user. */
export type FlagKind =
  | 'no-message-id'
  | 'duplicate-message-id'
  | 'bad-message-id'
  | 'no-date'
  | 'bad-date'
  | 'no-from'
  | 'bad-charset'
  | 'bad-encoding'
  | 'too-large'
  | 'parse-error'
  | 'truncated';

export interface MailFlag {
  kind: FlagKind;
  reason: string;
}

/** One parsed message: what every domain module works on. Pure data, no I/O. */
export interface Mail {
  /** Without angle brackets. */
  messageId: string;
  subject: string;
  from: Address;
  date: Date | null;
  inReplyTo: string | null;
  /** Oldest first, as in the header, without angle brackets. */
  references: string[];
  /** The text/plain body exactly as sent (format=flowed is not joined), LF line endings. */
  body: string;
  attachments: MailAttachment[];
  /** Lower-cased header name to its first decoded value. */
  headers: Record<string, string>;
  flags: MailFlag[];
}
