import { afterEach, describe, expect, it } from 'vitest';
import { resetEnvForTests } from '../env';
import { absoluteUrl, publicBaseUrl } from './public-base-url';

const req = (url: string, headers: Record<string, string> = {}) => new Request(url, { headers });

describe('publicBaseUrl', () => {
  const saved = process.env.SLIMBOARD_PUBLIC_URL;
  afterEach(() => {
    if (saved === undefined) delete process.env.SLIMBOARD_PUBLIC_URL;
    else process.env.SLIMBOARD_PUBLIC_URL = saved;
    resetEnvForTests();
  });

  it('takes the request origin, a proxy\'s forwarded host and protocol first', () => {
    delete process.env.SLIMBOARD_PUBLIC_URL;
    resetEnvForTests();
    expect(publicBaseUrl(req('http://127.0.0.1:3000/api/zoo?format=csv'))).toBe('http://127.0.0.1:3000');
    expect(publicBaseUrl(req('http://127.0.0.1:3000/api/zoo', { host: 'boards.local:8080' }))).toBe('http://boards.local:8080');
    expect(publicBaseUrl(req('http://127.0.0.1:3000/api/zoo', { 'x-forwarded-proto': 'https, http', 'x-forwarded-host': 'sb.example.org' }))).toBe('https://sb.example.org');
  });

  it('falls back to the URL the server saw when forwarded headers are not a host', () => {
    delete process.env.SLIMBOARD_PUBLIC_URL;
    resetEnvForTests();
    expect(publicBaseUrl(req('http://127.0.0.1:3000/x', { 'x-forwarded-host': 'evil.org/<script>' }))).toBe('http://127.0.0.1:3000');
    expect(publicBaseUrl(req('http://127.0.0.1:3000/x', { 'x-forwarded-proto': 'javascript' }))).toBe('http://127.0.0.1:3000');
  });

  it('SLIMBOARD_PUBLIC_URL wins (trailing slash dropped); without a request the CLI uses it too', () => {
    process.env.SLIMBOARD_PUBLIC_URL = 'https://sb.example.org/slimboard/';
    resetEnvForTests();
    expect(publicBaseUrl(req('http://127.0.0.1:3000/x'))).toBe('https://sb.example.org/slimboard');
    expect(publicBaseUrl()).toBe('https://sb.example.org/slimboard');
    expect(absoluteUrl(publicBaseUrl(), '/models/a')).toBe('https://sb.example.org/slimboard/models/a');
  });

  it('a bad SLIMBOARD_PUBLIC_URL is a clear error naming the setting', () => {
    process.env.SLIMBOARD_PUBLIC_URL = 'ftp://x.org';
    resetEnvForTests();
    expect(() => publicBaseUrl()).toThrow(/SLIMBOARD_PUBLIC_URL/);
  });
});

describe('absoluteUrl', () => {
  it('keeps absolute http(s) URLs and puts site paths on the base', () => {
    expect(absoluteUrl('http://h:1', 'https://e.org/m.tar')).toBe('https://e.org/m.tar');
    expect(absoluteUrl('http://h:1/', '/api/artifacts/ab')).toBe('http://h:1/api/artifacts/ab');
    expect(absoluteUrl('http://h:1', 'models/x')).toBe('http://h:1/models/x');
  });
});
