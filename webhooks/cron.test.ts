import t from 'tap';
import { cronScheduleProblems } from './cron.ts';

t.test('schedules a CronJob accepts', async (t) => {
  for (const schedule of [
    '0 3 * * *',
    '*/5 * * * *',
    '0 9-17 * * mon-fri',
    '0 0 1 JAN,jul *',
    '0 0 ? * SUN',
    '5/15 * * * *',
    '0 0 1-31/2 * *',
    '1,,2 * * * *',
    '0\t0  * *\n*',
    '+5 * * * *',
    '*-3 * * * *',
    '@yearly',
    '@annually',
    '@monthly',
    '@weekly',
    '@daily',
    '@midnight',
    '@hourly',
    '@every 1h30m',
    '@every 0',
    '@every 1.5s',
  ])
    t.same(cronScheduleProblems(schedule), [], schedule);
});

t.test('schedules a CronJob refuses, with robfig/cron and kube-apiserver messages', async (t) => {
  const cases: [string, string[]][] = [
    ['', ['empty spec string']],
    ['* * * *', ['expected exactly 5 fields, found 4: [* * * *]']],
    ['0 0 * * * *', ['expected exactly 5 fields, found 6: [0 0 * * * *]']],
    ['60 * * * *', ['end of range (60) above maximum (59): 60']],
    ['0 24 * * *', ['end of range (24) above maximum (23): 24']],
    ['0 0 0 * *', ['beginning of range (0) below minimum (1): 0']],
    ['0 0 * 13 *', ['end of range (13) above maximum (12): 13']],
    ['0 0 * * 7', ['end of range (7) above maximum (6): 7']],
    ['5-1 * * * *', ['beginning of range (5) beyond end of range (1): 5-1']],
    ['1-2-3 * * * *', ['too many hyphens: 1-2-3']],
    ['*/2/3 * * * *', ['too many slashes: */2/3']],
    ['*/0 * * * *', ['step of range should be a positive number: */0']],
    ['x * * * *', ['failed to parse int from x: strconv.Atoi: parsing "x": invalid syntax']],
    ['0 0 * foo *', ['failed to parse int from foo: strconv.Atoi: parsing "foo": invalid syntax']],
    ['@Hourly', ['unrecognized descriptor: @Hourly']],
    ['@every 5', ['failed to parse duration @every 5: time: invalid duration "5"']],
    ['TZ=UTC 0 * * * *', ['cannot use TZ or CRON_TZ in schedule, use timeZone field instead']],
    [
      'CRON_TZ=Europe/Paris 61 * * * *',
      [
        'end of range (61) above maximum (59): 61',
        'cannot use TZ or CRON_TZ in schedule, use timeZone field instead',
      ],
    ],
  ];
  for (const [schedule, problems] of cases)
    t.same(cronScheduleProblems(schedule), problems, JSON.stringify(schedule));
});
