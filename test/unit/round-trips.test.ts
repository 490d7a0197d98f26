import { describe, expect, it } from 'vitest';
import { pathOf, RoundTrips } from '../../src/transport/round-trips.js';

describe('round trips shared by the hosts of one command', () => {
  it('is half the quickest exec open seen on a path, by any of its hosts', () => {
    const rt = new RoundTrips();
    const path = pathOf([{ hostname: '10.0.0.5' }]);
    expect(rt.estimate(path)).toBeUndefined();
    rt.record(path, 30); // a host that opened while the machine was busy
    expect(rt.estimate(path)).toBe(15);
    rt.record(path, 8); // another host at the same address, at a quieter moment
    rt.record(path, 12);
    expect(rt.estimate(path)).toBe(4);
  });

  it('keys a route by its host names, jump hosts included, ports not', () => {
    const rt = new RoundTrips();
    rt.record(pathOf([{ hostname: '127.0.0.1' }]), 6);
    expect(rt.estimate(pathOf([{ hostname: '127.0.0.1' }]))).toBe(3);
    // Through a jump host is another path, and so is another address.
    expect(rt.estimate(pathOf([{ hostname: 'bastion' }, { hostname: '127.0.0.1' }]))).toBeUndefined();
    expect(rt.estimate(pathOf([{ hostname: '127.0.0.2' }]))).toBeUndefined();
    expect(pathOf([{ hostname: 'bastion' }, { hostname: '10.0.0.5' }])).toBe('bastion > 10.0.0.5');
  });
});
