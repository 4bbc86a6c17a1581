import type { Metadata } from 'next';
import Link from 'next/link';
import type { ReactNode } from 'react';
import { NavLinks } from './nav-client';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Slimboard', template: '%s · Slimboard' },
  description:
    'A living model zoo for compressed object detectors: pruned, distilled and quantized models with their accuracy, cost and latency.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body>
        <header className="site-header">
          <div className="site-header-inner">
            <Link href="/" className="brand" aria-label="Slimboard home">
              <span className="brand-mark" aria-hidden="true">
                ◧
              </span>{' '}
              Slimboard
            </Link>
            <NavLinks />
          </div>
        </header>
        <main className="site-main">{children}</main>
        <footer className="site-footer">Slimboard: compressed object detectors, their published numbers and the ones we measure.</footer>
      </body>
    </html>
  );
}
