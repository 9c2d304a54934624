/**
 * The provider conformance suite (provider.contract.ts) for every provider in the registry,
 * each against its own simulator: a new vendor is checked by adding its registry line.
 */
import { providers } from '../../providers/registry.js';
import { describeProvider, wireKeys } from './provider.contract.js';

const allIds = providers.map((p) => p.id);
for (const definition of providers) describeProvider(definition, { allIds });

// The overrides check is only as good as its key finder: it must see keys wherever vendors put them.
test('wireKeys finds keys in JSON bodies, JSON inside strings and dotted form fields', () => {
  expect(wireKeys(JSON.stringify({ message: { android: { huawei: {} }, data: JSON.stringify({ fcm: 1 }) } }))).toEqual(
    new Set(['message', 'android', 'huawei', 'data', 'fcm']),
  );
  expect(wireKeys(new URLSearchParams({ 'extra.vivo': '1', message: JSON.stringify([{ apns: 2 }]) }).toString())).toEqual(
    new Set(['extra', 'vivo', 'message', 'apns']),
  );
});
