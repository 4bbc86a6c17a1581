import Link from 'next/link';

export default function NotFound() {
  return (
    <div className="message-page">
      <h1>Not found</h1>
      <p>There is no such page or model in Slimboard.</p>
      <p>
        <Link href="/zoo">Back to the model zoo</Link>
      </p>
    </div>
  );
}
