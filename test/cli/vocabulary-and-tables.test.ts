import assert from 'node:assert/strict'

import {SAMPLE_PATH} from '../../scripts/make-sample.js'
import {runCli} from '../helpers/cli.js'
import {legacySave, scratch} from '../helpers/images.js'

/** The command's stdout; fails loudly on another exit code. */
async function out(args: string[], code = 0): Promise<string> {
  const result = await runCli(args)
  assert.equal(result.code, code, result.stderr)
  return result.stdout
}

describe('one vocabulary in every format', function () {
  this.timeout(120_000)

  it('files: bytes and absolute paths in templates, CSV and JSON, as in analyze and the tree', async () => {
    assert.equal(
      await out(['files', SAMPLE_PATH, '--layer', '4', '--format', '{{.Path}}: {{.Bytes}}']),
      '/root/.ssh/id_rsa: 2471\n/root/.ssh: 0\n',
    )
    assert.equal(
      await out(['files', SAMPLE_PATH, '--layer', '4', '--format', 'csv']),
      '"layer","change","path","type","bytes","mode","uid","gid","linkTarget"\n' +
        '4,"D","/root/.ssh/id_rsa","file",2471,"0600",0,0,\n' +
        '4,"M","/root/.ssh","dir",0,"0700",0,0,\n',
    )
    assert.equal(
      await out(['files', SAMPLE_PATH, '--tree', '--final', '--depth', '1', '--format', 'csv']),
      '"layer","path","bytes","files"\n,"/",206105,7\n,"/app",30023,2\n,"/bin",96000,1\n,"/etc",82,2\n,"/usr",42000,1\n,"/var",38000,1\n',
    )
  })

  it('the layer that hides a path is hiddenBy in JSON, CSV and templates, HIDDEN BY in tables', async () => {
    const analyze = JSON.parse(await out(['analyze', SAMPLE_PATH, '--top', '1', '--format', 'json']))
    assert.equal(analyze.schemaVersion, 2)
    assert.deepEqual(analyze.topWasted, [
      {
        path: '/var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages',
        bytes: 61000,
        layer: 1,
        hiddenBy: 2,
        how: 'opaque',
      },
    ])
    assert.equal(
      await out(['waste', SAMPLE_PATH, '--format', 'csv']),
      '"path","bytes","layer","createdBy","hiddenBy","hiddenByCreatedBy","how"\n' +
        '"/var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages",61000,1,"RUN apt-get ' +
        'update && apt-get install -y curl",2,"RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin","opaque"\n' +
        '"/var/cache/apt/pkgcache.bin",24000,1,"RUN apt-get update && apt-get install -y curl",2,"RUN rm -rf ' +
        '/var/lib/apt/lists/* /var/cache/apt/*.bin","deleted"\n' +
        '"/root/.ssh/id_rsa",2471,3,"COPY . /app # with the deploy key",4,"RUN rm /root/.ssh/id_rsa","deleted"\n' +
        '"/app/server",30000,3,"COPY . /app # with the deploy key",5,"RUN chown -R app:app /app","metadata-only"\n' +
        '"/app/config.yml",23,3,"COPY . /app # with the deploy key",5,"RUN chown -R app:app /app","metadata-only"\n',
    )
    assert.equal(
      await out(['waste', SAMPLE_PATH, '--format', '{{.HiddenBy}} {{.Path}}']).then((s) => s.split('\n')[2]),
      '4 /root/.ssh/id_rsa',
    )
  })

  it('--format json is one document as every report writes it; --format jsonl a row a line', async () => {
    const json = await out(['files', SAMPLE_PATH, '--format', 'json'])
    const report = JSON.parse(json)
    assert.equal(json, `${JSON.stringify(report, null, 2)}\n`)
    assert.equal(report.files.length, 27)
    const lines = (await out(['files', SAMPLE_PATH, '--format', 'jsonl'])).split('\n')
    assert.deepEqual(
      lines.slice(0, -1).map((line) => JSON.parse(line)),
      report.files,
    )
    assert.equal(lines.at(-1), '')
    assert.equal(
      await out(['analyze', SAMPLE_PATH, '--format', 'jsonl']).then((s) => s.split('\n')[4]),
      '{"index":4,"digest":"sha256:8f8651d39e2025ac1d2061ee5501b9714e9393a3f6ccb9a17a5a445fac8de002","createdBy":"RUN ' +
        'rm /root/.ssh/id_rsa","created":"2024-01-01T00:00:00Z","bytes":0,"entries":2,' +
        '"added":0,"modified":1,"removed":1,"removedBytes":2471,"wastedBytes":0}',
    )
  })
})

describe('tables that read well', function () {
  this.timeout(120_000)
  const tmp = scratch()
  after(() => tmp.remove())

  it("diff's table lists the config keys that differ, A's and B's values as JSON", async () => {
    const layers = [{members: [{path: 'app', content: 'x'}]}]
    const a = tmp.file('config-a.tar', legacySave([{layers, config: {Cmd: ['sh'], Env: ['A=1']}}]))
    const b = tmp.file('config-b.tar', legacySave([{layers, config: {Cmd: ['app'], Env: ['A=1']}}]))
    const table = await out(['diff', a, b])
    assert.equal(table.slice(table.indexOf('CONFIG')), 'CONFIG   A        B\nCmd      ["sh"]   ["app"]\n')
  })

  it('files --tree and waste --duplicates as tables: sizes by directory, absolute; the copies of each content', async () => {
    // layer 3 writes /app/server (30000), /app/config.yml (23) and /root/.ssh/id_rsa (2471)
    assert.equal(
      await out(['files', SAMPLE_PATH, '--tree', '--depth', '1', '--layer', '3']),
      'LAYER      SIZE    FILES  DIRECTORY\n' +
        '    3    32.5kB        3  /\n' +
        '    3      30kB        2  /app\n' +
        '    3    2.47kB        1  /root\n',
    )
    const json = JSON.parse(await out(['waste', SAMPLE_PATH, '--duplicates', '--format', 'json']))
    const [server, config] = json.duplicates.map((g: any) => g.digest.slice(7, 19))
    const table = await out(['waste', SAMPLE_PATH, '--duplicates'])
    // layer 5's chown copied both files of layer 3 unchanged: 30000 + 23 stored twice
    assert.equal(
      table.slice(table.indexOf('Identical')),
      'Identical content stored more than once (30kB beyond the first copies):\n' +
        'COST   SIZE   COPIES   DIGEST         PATHS\n' +
        `30kB   30kB        2   ${server}   /app/server@3 (hidden), /app/server@5\n` +
        ` 23B    23B        2   ${config}   /app/config.yml@3 (hidden), /app/config.yml@5\n`,
    )
  })

  it("analyze's tables fit COLUMNS: CREATED BY and PATH cut with …; --no-trunc, and a pipe, keep them whole", async () => {
    const run = async (args: string[], env: NodeJS.ProcessEnv) => {
      const result = await runCli(['analyze', SAMPLE_PATH, ...args], {env})
      assert.deepEqual([result.code, result.stderr], [0, ''])
      return result.stdout
    }
    const fitted = await run([], {COLUMNS: '80'})
    // the layer table is 100 columns with CREATED BY at 45: it gives up 20; the waste list is 120 with the apt
    // list's 75-character path: PATH gives up 40; the widest lines are now exactly 80
    assert.equal(
      fitted.slice(fitted.indexOf('LAYER'), fitted.indexOf('\nTotal:')),
      [
        'LAYER   CREATED BY                    SIZE   ADDED   MODIFIED   REMOVED   WASTED',
        '    0   ADD rootfs.tar.gz / # bu…   96.1kB       8          0         0       0B',
        '    1   RUN apt-get update && ap…    165kB       4          0         0     85kB',
        '    2   RUN rm -rf /var/lib/apt/…       0B       0          3         2       0B',
        '    3   COPY . /app # with the d…   32.5kB       5          0         0   32.5kB',
        '    4   RUN rm /root/.ssh/id_rsa        0B       0          1         1       0B',
        '    5   RUN chown -R app:app /app     30kB       0          3         0       0B',
        '',
      ].join('\n'),
    )
    assert.equal(
      fitted.slice(fitted.indexOf('WASTED   PATH'), fitted.indexOf('\nADVICE')),
      [
        'WASTED   PATH                                  LAYER   HIDDEN BY   HOW',
        '  61kB   /var/lib/apt/lists/deb.debian.org_…       1           2   opaque',
        '  30kB   /app/server                               3           5   metadata-only',
        '  24kB   /var/cache/apt/pkgcache.bin               1           2   deleted',
        '2.47kB   /root/.ssh/id_rsa                         3           4   deleted',
        '   23B   /app/config.yml                           3           5   metadata-only',
        '',
      ].join('\n'),
    )
    // a pipe with no COLUMNS is not fitted; --no-trunc is never
    const piped = await run([], {})
    assert.match(
      piped,
      /^ {2}61kB {3}\/var\/lib\/apt\/lists\/deb\.debian\.org_dists_bookworm_main_binary-amd64_Packages {7}1/m,
    )
    assert.equal(await run(['--no-trunc'], {COLUMNS: '80'}), await run(['--no-trunc'], {}))
    assert.match(
      await run(['--no-trunc'], {COLUMNS: '80'}),
      /^ {4}2 {3}RUN rm -rf \/var\/lib\/apt\/lists\/\* \/var\/cache\/apt\/\*\.bin {7}0B/m,
    )
  })

  it('waste, files and files --tree fit COLUMNS too: headings share their width between two commands', async () => {
    const fitted = async (columns: string, args: string[]) => {
      const result = await runCli(args, {env: {COLUMNS: columns}})
      assert.deepEqual([result.code, result.stderr], [0, ''])
      return result.stdout
    }
    // each heading is 80 wide: the rest of the line leaves 30 columns to two commands in parentheses, 12 each;
    // the records' PATH and the duplicates' PATHS are cut to the columns the others leave
    assert.equal(
      await fitted('80', ['waste', SAMPLE_PATH, '--duplicates']),
      [
        'Layer 1 (RUN apt-get…) stores 85kB in 2 files that layer 2 (RUN rm -rf …) hides:',
        '    61kB   opaque    /var/lib/apt/lists/deb.debian.org_dists_bookworm_main_bina…',
        '    24kB   deleted   /var/cache/apt/pkgcache.bin',
        '',
        'Layer 3 (COPY . /app…) stores 2.47kB in 1 file that layer 4 (RUN rm /ro…) hides:',
        '    2.47kB   deleted   /root/.ssh/id_rsa',
        '',
        'Layer 3 (COPY . /app…) stores 30kB in 2 files that layer 5 (RUN chown -…) hides:',
        '    30kB   metadata-only   /app/server',
        '     23B   metadata-only   /app/config.yml',
        '',
        'Total wasted: 117kB (117494 bytes) in 5 files',
        '',
        'Identical content stored more than once (30kB beyond the first copies):',
        'COST   SIZE   COPIES   DIGEST         PATHS',
        '30kB   30kB        2   5e5d369c76fb   /app/server@3 (hidden), /app/server@5',
        ' 23B    23B        2   04aa952bbbcb   /app/config.yml@3 (hidden), /app/config.y…',
        '',
      ].join('\n'),
    )
    // a pipe: the headings' commands at most 50 columns, nothing else cut
    assert.equal(
      (await out(['waste', SAMPLE_PATH])).split('\n')[0],
      'Layer 1 (RUN apt-get update && apt-get install -y curl) stores 85kB in 2 files that layer 2 ' +
        '(RUN rm -rf /var/lib/apt/lists/* /var/cache/apt/*.…) hides:',
    )
    // files: the columns before PATH take 47, so at 60 a path keeps 13; --no-trunc keeps it whole
    const list = await fitted('60', ['files', SAMPLE_PATH, '--layer', '1'])
    assert.equal(list.split('\n')[2], '    1  A  file     0644  0:0             61kB  /var/lib/apt…')
    assert.match(
      await fitted('60', ['files', SAMPLE_PATH, '--layer', '1', '--no-trunc']),
      /61kB {2}\/var\/lib\/apt\/lists\/deb\.debian\.org_dists_bookworm_main_binary-amd64_Packages\n/,
    )
    // files --tree: the columns before DIRECTORY take 26, so at 30 a directory would keep 4: it keeps 10, the least
    assert.deepEqual(
      (await fitted('30', ['files', SAMPLE_PATH, '--tree', '--layer', '1', '--depth', '4'])).split('\n').slice(5, 7),
      ['    1      62kB        2  /var/cache', '    1      62kB        2  /var/cach…'],
    )
  })

  it('a list cut by --top says how many more there are; --top 0 lists all', async () => {
    const cut = await out(['analyze', SAMPLE_PATH, '--top', '2'])
    assert.equal(
      // the list alone: the ADVICE section follows it
      cut.slice(cut.indexOf('WASTED   PATH'), cut.indexOf('\nADVICE')),
      'WASTED   PATH                                                                          LAYER   HIDDEN BY   HOW\n' +
        '  61kB   /var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages       1           2   opaque\n' +
        '  30kB   /app/server                                                                       3           5   metadata-only\n' +
        '… and 3 more; --top 0 for all\n',
    )
    // markdown says it under its table, for a pull-request comment
    const markdown = await out(['analyze', SAMPLE_PATH, '--top', '2', '--format', 'markdown'])
    assert.equal(
      markdown.slice(markdown.indexOf('| wasted | path'), markdown.indexOf('#### Advice')),
      '| wasted | path | layer | hidden by | how |\n' +
        '| ---: | --- | ---: | ---: | --- |\n' +
        '| 61kB | `/var/lib/apt/lists/deb.debian.org_dists_bookworm_main_binary-amd64_Packages` | 1 | 2 | opaque |\n' +
        '| 30kB | `/app/server` | 3 | 5 | metadata-only |\n' +
        '\n' +
        '… and 3 more; --top 0 for all\n' +
        '\n',
    )
    const all = await out(['analyze', SAMPLE_PATH, '--top', '0'])
    assert.equal(all.slice(all.indexOf('WASTED   PATH'), all.indexOf('\nADVICE')).split('\n').length, 7)
    assert.doesNotMatch(all, /more; --top 0/)
  })

  it("CREATED BY drops docker's /bin/sh -c prefixes; one layer is singular; no sentence about zero shared layers", async () => {
    const one = tmp.file(
      'one.tar',
      legacySave([
        {
          tag: 'one:1',
          layers: [{members: [{path: 'a', content: 'abc'}], createdBy: '/bin/sh -c #(nop) COPY file:0123 in / '}],
        },
      ]),
    )
    const two = tmp.file(
      'two.tar',
      legacySave([
        {
          tag: 'two:1',
          layers: [{members: [{path: 'b', content: 'xy'}], createdBy: '/bin/sh -c apk add --no-cache curl'}],
        },
      ]),
    )
    assert.equal(
      await out(['analyze', one, '-q']),
      `Image: ${(JSON.parse(await out(['analyze', one, '--format', 'json'])).image.id as string).slice(7, 19)} ` +
        `one:1 (linux/amd64) from docker-archive ${one}\n\n` +
        'LAYER   CREATED BY            SIZE   ADDED   MODIFIED   REMOVED   WASTED\n' +
        '    0   COPY file:0123 in /     3B       1          0         0       0B\n' +
        '\n' +
        'Total:  3B in 1 layer\n' +
        'Final:  3B in 1 file\n' +
        'Wasted: 0B (0.00%)\n' +
        'dive:   efficiency 100.0000%, inefficient 0B, user wasted 0.00%\n',
    )
    assert.match(await out(['analyze', two]), /^ {4}0 {3}apk add --no-cache curl {3}/m)
    assert.equal(
      (await out(['diff', one, two])).split('\n').slice(0, 4).join('\n'),
      `A: ${one} (1 layer)\nB: ${two} (1 layer)\nShared layers: none\nFinal filesystem: 3B -> 2B (-1B); 1 added, 1 removed, 0 changed`,
    )
    assert.match(await out(['diff', SAMPLE_PATH, SAMPLE_PATH]), /^Shared layers: 6 \(the first 6 are a common base\)$/m)
  })

  it('check lists the rules in force, and all of them with --all', async () => {
    const args = ['check', SAMPLE_PATH, '--max-layers', '3', '--lowest-efficiency', 'off']
    assert.equal(
      await out(args, 1),
      `Image: ${SAMPLE_PATH} (docker-layers/sample:1.0)\n\n` +
        'RULE                       STATUS   VALUE      THRESHOLD   FROM\n' +
        'highestUserWastedPercent   FAIL     0.380266   0.1         default (dive)\n' +
        'maxLayers                  FAIL     6          3           --max-layers\n' +
        '\n' +
        'Result: FAIL (2 of 2 rules failed)\n',
    )
    const all = await out([...args, '--all'], 1)
    assert.equal(all.split('\n').filter((line) => / off /.test(line)).length, 9)
    assert.match(
      await out([
        'check',
        SAMPLE_PATH,
        '--max-layers',
        '9',
        '--lowest-efficiency',
        'off',
        '--highest-user-wasted-percent',
        'off',
      ]),
      /^Result: PASS \(0 of 1 rule failed\)$/m,
    )
  })
})
