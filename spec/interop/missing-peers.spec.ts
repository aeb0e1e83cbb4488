// A missing interop peer must fail the suite with what to install, never skip it silently.
import { launchChromium } from '../browser/chromium';
import { buildPageRoot } from '../browser/page-root';
import { requirePythonWebsockets } from './python-peer';

describe('missing interop peers', () => {
  it('no Python interpreter: fails naming the Debian package to install', () => {
    expect(() => requirePythonWebsockets('/nonexistent/python3')).toThrow(/peer is missing.*apt-get install -y python3-websockets/);
  });

  it('a Python without the websockets module: fails naming the Debian package', () => {
    // /bin/false stands for an interpreter whose `import websockets` fails (exit status 1).
    expect(() => requirePythonWebsockets('/bin/false')).toThrow(/apt-get install -y python3-websockets/);
  });

  it('no Chromium: fails naming the Debian package to install', async () => {
    await expect(launchChromium('/nonexistent/chromium')).rejects.toThrow(/peer is missing.*apt-get install -y chromium/);
  });

  it('no browser build: fails saying to run npm run build', () => {
    expect(() => buildPageRoot('/nonexistent/dist/browser')).toThrow(/browser build is missing.*npm run build/);
  });

  it('the installed peers are found', () => {
    expect(requirePythonWebsockets()).toMatch(/^\d+\.\d+/);
  });
});
