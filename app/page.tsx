import MessagesPage from './messages/page.tsx';

export const dynamic = 'force-dynamic';

// Until series land, the front page lists recent mail.
export default MessagesPage;
