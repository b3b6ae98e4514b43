// Run the pinned publint over many tarballs in one process: the oracle for releasekit.quality.shape.
//
// argv: <node_modules holding publint> <path to node-tar> then the tarballs. Each tarball is read with node-tar (npm's own
// extractor: what npm installs), its files handed to publint as a virtual package under /pkg,
// and every message printed as one JSON object: {"<tarball>": [{code, path, type, file}], ...}.
// A tarball publint cannot lint maps to {"error": "..."}.
import { createRequire } from 'node:module'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'

const [modules, tarPath, ...tarballs] = process.argv.slice(2)
const { publint } = await import(pathToFileURL(createRequire(join(modules, 'x.js')).resolve('publint')))
const tar = createRequire(import.meta.url)(tarPath)

function packedFiles(tarball) {
  const files = []
  tar.t({
    file: tarball,
    sync: true,
    onReadEntry(entry) {
      if (entry.type !== 'File' && entry.type !== 'OldFile') return entry.resume()
      const chunks = []
      entry.on('data', (chunk) => chunks.push(chunk))
      entry.on('end', () => {
        const name = entry.path.split('/').slice(1).join('/') // npm strips the top folder
        files.push({ name: '/pkg/' + name, data: new Uint8Array(Buffer.concat(chunks)) })
      })
    },
  })
  return files
}

const out = {}
for (const tarball of tarballs) {
  try {
    const { messages } = await publint({ pack: { files: packedFiles(tarball) }, pkgDir: '/pkg', level: 'suggestion' })
    out[tarball] = messages.map((m) => ({
      code: m.code,
      path: m.path.map(String),
      type: m.type,
      file: m.args?.actualFilePath ?? m.args?.filePath ?? m.args?.globbedFilePath ?? null,
    }))
  } catch (err) {
    out[tarball] = { error: String(err?.message ?? err) }
  }
}
process.stdout.write(JSON.stringify(out))
