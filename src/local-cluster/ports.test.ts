import { readFileSync } from 'node:fs';
import t from 'tap';
import { freePorts, pickFreePort, STANDARD_PORTS } from './ports.ts';

const ephemeralLow = Number(
  readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0],
);

t.test('picked ports are free, distinct, and below the ephemeral range', async (t) => {
  const picked = [await pickFreePort(), await pickFreePort(), ...Object.values(await freePorts())];
  t.equal(new Set(picked).size, picked.length, 'no port handed out twice');
  for (const port of picked) {
    t.ok(port < ephemeralLow, `${port} is below ${ephemeralLow}`);
    t.notOk(Object.values(STANDARD_PORTS).includes(port), `${port} is not a standard port`);
  }
});
