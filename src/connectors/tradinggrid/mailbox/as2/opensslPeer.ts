import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Debian's `openssl` as an AS2 peer we did not write, for tests: certificates, and `openssl cms` building and
 * checking the S/MIME layer.
 */
export class OpensslPeer {
  readonly dir = mkdtempSync(join(tmpdir(), 'gb-as2-openssl-'));

  run(args: string[], input?: Buffer): Buffer {
    return execFileSync('openssl', args, { cwd: this.dir, input, stdio: ['pipe', 'pipe', 'pipe'] });
  }

  /** A self-signed RSA certificate and key, as PEM files in the peer's folder; returns their text. */
  certificate(name: string): { cert: string; key: string; certPath: string; keyPath: string } {
    const certPath = join(this.dir, `${name}.crt`);
    const keyPath = join(this.dir, `${name}.key`);
    this.run([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      keyPath,
      '-out',
      certPath,
    ]);
    return { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8'), certPath, keyPath };
  }

  write(name: string, data: Buffer | string): string {
    const p = join(this.dir, name);
    writeFileSync(p, data);
    return p;
  }

  read(name: string): Buffer {
    return readFileSync(join(this.dir, name));
  }

  close(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}
