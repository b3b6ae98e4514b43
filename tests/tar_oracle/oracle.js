// The reference reader for the differential tests: npm's own node-tar and pacote.
// Reads JSON lines {id, mode: "list"|"extract", data: base64} on stdin and answers one
// JSON line each, so one process serves thousands of tarballs.
//   list:    node-tar's Parser, every entry it emits (path, type, mode, size, sha256 of the body)
//   extract: pacote.extract (what `npm install` runs) into a fresh folder, then every file on disk
'use strict'
const crypto = require('node:crypto')
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const readline = require('node:readline')

const npmDir = process.argv[2]
const tar = require(path.join(npmDir, 'node_modules', 'tar'))
const pacote = require(path.join(npmDir, 'node_modules', 'pacote'))
const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'tar-oracle-'))
let counter = 0

const sha256 = (buf) => crypto.createHash('sha256').update(buf).digest('hex')

function list (buf) {
  return new Promise((resolve) => {
    const entries = []
    const warnings = []
    let error = null
    let settled = false
    const settle = () => {
      if (!settled) {
        settled = true
        setImmediate(() => resolve({ entries, warnings, error }))
      }
    }
    const parser = new tar.Parser({
      onwarn: (code, msg) => warnings.push(`${code}: ${msg}`),
      onReadEntry: (entry) => {
        const hash = crypto.createHash('sha256')
        let read = 0
        entry.on('data', (c) => { hash.update(c); read += c.length })
        entry.on('end', () => entries.push({
          path: entry.path,
          type: entry.type,
          mode: entry.mode ?? 0,
          size: entry.size,
          linkpath: entry.linkpath ?? '',
          read,
          sha256: hash.digest('hex'),
        }))
      },
    })
    parser.on('error', (e) => { error = String(e && e.message); settle() })
    parser.on('end', settle)
    parser.on('close', settle)
    try {
      parser.end(buf)
    } catch (e) {
      error = String(e && e.message)
      settle()
    }
  })
}

function walk (root, dir, out) {
  for (const name of fs.readdirSync(dir)) {
    const full = path.join(dir, name)
    const st = fs.lstatSync(full)
    const rel = path.relative(root, full)
    if (st.isDirectory()) {
      walk(root, full, out)
    } else {
      out.push({
        path: rel,
        kind: st.isFile() ? 'file' : st.isSymbolicLink() ? 'symlink' : 'other',
        mode: st.mode & 0o7777,
        size: st.size,
        sha256: st.isFile() ? sha256(fs.readFileSync(full)) : '',
      })
    }
  }
  return out
}

async function extract (buf) {
  const n = counter++
  const file = path.join(scratch, `in-${n}.tgz`)
  const dest = path.join(scratch, `out-${n}`)
  fs.writeFileSync(file, buf)
  try {
    await pacote.extract(`file:${file}`, dest, { cache: path.join(scratch, 'cache'), umask: 0o022 })
    return { files: walk(dest, dest, []).sort((a, b) => a.path < b.path ? -1 : 1), error: null }
  } catch (e) {
    // pacote extracts first and reads package.json after: report what it wrote too
    const files = fs.existsSync(dest) ? walk(dest, dest, []).sort((a, b) => a.path < b.path ? -1 : 1) : []
    return { files, error: String(e && e.message) }
  } finally {
    fs.rmSync(file, { force: true })
    fs.rmSync(dest, { recursive: true, force: true })
  }
}

async function main () {
  const rl = readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  for await (const line of rl) {
    if (!line.trim()) continue
    const req = JSON.parse(line)
    const buf = Buffer.from(req.data, 'base64')
    const answer = req.mode === 'extract' ? await extract(buf) : await list(buf)
    process.stdout.write(JSON.stringify({ id: req.id, ...answer }) + '\n')
  }
  fs.rmSync(scratch, { recursive: true, force: true })
}

main().catch((e) => { process.stderr.write(String(e && e.stack) + '\n'); process.exit(1) })
