import { Channels, type ChannelMessage } from '../../packages/client/src/channels';

const message = (channel: string, seq: number): ChannelMessage => ({ type: 'message', channel, seq, id: `m${seq}`, data: seq });

describe('client channel bookkeeping', () => {
  let delivered: Array<[string, number]>;
  let channels: Channels;
  beforeEach(() => {
    delivered = [];
    channels = new Channels((m) => delivered.push([m.channel, m.seq]));
  });

  it('delivers each seq once, in order, holding early ones until the ones before them arrive', () => {
    channels.start('news', 0);
    for (const seq of [1, 3, 2, 2, 1, 5, 4, 3]) channels.receive(message('news', seq));
    expect(delivered).toEqual([1, 2, 3, 4, 5].map((seq) => ['news', seq]));
    expect(channels.last('news')).toBe(5);
  });

  it('waits for the subscribe ack without since, then drops what is older than its seq', () => {
    channels.start('news');
    channels.receive(message('news', 7));
    channels.receive(message('news', 9));
    channels.receive(message('news', 8));
    expect(delivered).toEqual([]);
    expect(channels.snapshot()).toEqual({});
    channels.begin('news', 8);
    expect(delivered).toEqual([['news', 9]]);
    expect(channels.snapshot()).toEqual({ news: 9 });
  });

  it('starts with since: the replay after it is delivered and the ack seq does not move it', () => {
    channels.start('news', 3);
    channels.begin('news', 6);
    for (const seq of [3, 4, 5, 6]) channels.receive(message('news', seq));
    expect(delivered.map(([, seq]) => seq)).toEqual([4, 5, 6]);
  });

  it('a gap moves past the lost seqs and releases what was held behind them', () => {
    channels.start('news', 2);
    channels.receive(message('news', 7));
    channels.receive(message('news', 8));
    channels.gap('news', 6);
    expect(delivered.map(([, seq]) => seq)).toEqual([7, 8]);
    channels.gap('news', 4);
    expect(channels.last('news')).toBe(8);
  });

  it('starts an implicit channel it never subscribed to just before its first message', () => {
    channels.receive(message('user:ann', 41));
    channels.receive(message('user:ann', 41));
    channels.receive(message('user:ann', 42));
    expect(delivered).toEqual([
      ['user:ann', 41],
      ['user:ann', 42],
    ]);
    expect(channels.snapshot()).toEqual({ 'user:ann': 42 });
  });

  it('forgets held messages on a new connection (its replay brings them again) but keeps positions', () => {
    channels.start('news', 1);
    channels.receive(message('news', 3));
    channels.forgetHeld();
    channels.receive(message('news', 2));
    expect(delivered.map(([, seq]) => seq)).toEqual([2]);
    expect(channels.snapshot()).toEqual({ news: 2 });
  });

  it('keeps channels apart and stops one on request', () => {
    channels.start('a', 0);
    channels.start('b', 10);
    channels.receive(message('b', 11));
    channels.receive(message('a', 1));
    channels.stop('a');
    expect(channels.snapshot()).toEqual({ b: 11 });
    expect(delivered).toEqual([
      ['b', 11],
      ['a', 1],
    ]);
  });
});
