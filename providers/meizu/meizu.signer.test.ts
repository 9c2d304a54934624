import { createHash } from 'node:crypto';
import { MeizuSigner, meizuSign, meizuSignBase } from './meizu.signer.js';

const md5 = (s: string) => createHash('md5').update(s, 'utf8').digest('hex');
// The worked example of Meizu's "接口签名规范" (https://github.com/MEIZUPUSH/PushAPI), with our own secret.
const EXAMPLE = {
  appId: '10000',
  pushIds: 'RA50c6348036344485d01776773577c64740465480a6b',
  messageJson: '{"title":"title","content":"content","pushTimeInfo":{"offLine":1,"validTime":24}}',
};

describe('meizuSign', () => {
  it('signs name=value pairs sorted by name, joined with nothing, secret appended', () => {
    expect(meizuSignBase(EXAMPLE, 'secret-123')).toBe(
      'appId=10000messageJson={"title":"title","content":"content","pushTimeInfo":{"offLine":1,"validTime":24}}pushIds=RA50c6348036344485d01776773577c64740465480a6bsecret-123',
    );
    expect(meizuSign(EXAMPLE, 'secret-123')).toBe('f051e1664b297eac9d8cdc0778404264');
  });

  it('is 32 lowercase hex digits of MD5 over UTF-8, raw (not URL-encoded) values', () => {
    const params = { appId: '1', messageJson: '{"t":"中文 & =?"}' };
    expect(meizuSign(params, 's')).toBe(md5('appId=1messageJson={"t":"中文 & =?"}s'));
    expect(meizuSign(params, 's')).toMatch(/^[0-9a-f]{32}$/);
  });

  it('leaves out sign itself and undefined parameters, keeps empty ones as name=', () => {
    expect(meizuSignBase({ sign: 'old', b: '', a: '1', c: undefined }, 'S')).toBe('a=1b=S');
  });

  it('sorts by UTF-16 code unit like Java TreeMap: uppercase before lowercase', () => {
    expect(meizuSignBase({ pushIds: 'p', appId: 'a', Zed: 'z', restrictedPackageNames: 'r' }, '')).toBe('Zed=zappId=apushIds=prestrictedPackageNames=r');
  });
});

describe('MeizuSigner', () => {
  it('adds appId and the sign over every parameter', () => {
    const signed = new MeizuSigner('10000', 'secret-123').signed({ pushIds: EXAMPLE.pushIds, messageJson: EXAMPLE.messageJson });
    expect(signed).toEqual({ ...EXAMPLE, sign: 'f051e1664b297eac9d8cdc0778404264' });
  });
});
