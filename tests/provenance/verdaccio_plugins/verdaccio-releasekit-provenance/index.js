'use strict';
// Test-only Verdaccio 9 middleware giving it what npmjs does with provenance and Verdaccio lacks.
//
// Verdaccio refuses a publish/stage body with more than one _attachments entry and keeps no
// attachments with a staged record. This plugin takes the "<name>-<version>.sigstore" entry out
// of a stage (POST /-/stage/package/:name) or publish (PUT /:name) body before Verdaccio sees it,
// keeps it beside the staged version once Verdaccio answers 201, shows what it received at
// GET /-/releasekit-test/provenance/<name>/<version>, serves it with the staged entry at
// GET /-/stage/<stageId>/attestations (same shape as npmjs' attestations answer), and after
// approval the way npmjs does: GET /-/npm/v1/attestations/<name>@<version>.
const fs = require('fs');
const path = require('path');

const STAGE_PREFIX = '/-/stage/package/';
const RECEIVED_PREFIX = '/-/releasekit-test/provenance/';
const ATTESTATIONS_PREFIX = '/-/npm/v1/attestations/';
const STAGED_ATTESTATIONS = /^\/-\/stage\/([0-9a-f-]{36})\/attestations$/;

function predicateType(bundle) {
  try {
    const statement = JSON.parse(Buffer.from(bundle.dsseEnvelope.payload, 'base64').toString('utf8'));
    return statement.predicateType;
  } catch (err) {
    return undefined;
  }
}

class ReleasekitProvenance {
  constructor(pluginConfig, options) {
    this.dir = path.join(options.config.storage, '.releasekit-provenance');
  }

  file(name, version) {
    return path.join(this.dir, `${encodeURIComponent(name)}@${encodeURIComponent(version)}.json`);
  }

  stageFile(stageId) {
    return path.join(this.dir, `stage-${stageId}.json`);
  }

  answer(found) {
    const attestations = Object.values(found.attachments).map((attachment) => {
      const bundle = JSON.parse(attachment.data);
      return { predicateType: predicateType(bundle), bundle };
    });
    return { attestations };
  }

  read(name, version) {
    try {
      return JSON.parse(fs.readFileSync(this.file(name, version), 'utf8'));
    } catch (err) {
      return null;
    }
  }

  register_middlewares(app, auth, storage) {
    app.use((req, res, next) => {
      const body = req.body;
      const writes = (req.method === 'POST' && req.path.startsWith(STAGE_PREFIX)) ||
        (req.method === 'PUT' && !req.path.startsWith('/-/'));
      if (!writes || !body || typeof body._attachments !== 'object' || typeof body.versions !== 'object') {
        return next();
      }
      const names = Object.keys(body._attachments).filter((key) => key.endsWith('.sigstore'));
      if (names.length === 0) {
        return next();
      }
      const kept = {};
      for (const key of names) {
        kept[key] = body._attachments[key];
        delete body._attachments[key];
      }
      const [version] = Object.keys(body.versions);
      const name = body.name;
      let stageId = null;
      const send = res.send;
      res.send = function capture(payload) {
        try {
          const text = Buffer.isBuffer(payload) ? payload.toString('utf8') : payload;
          const parsed = typeof text === 'string' ? JSON.parse(text) : text;
          if (parsed && typeof parsed.stageId === 'string') {
            stageId = parsed.stageId;
          }
        } catch (err) {
          // not JSON: nothing to remember
        }
        return send.apply(this, arguments);
      };
      res.on('finish', () => {
        if (res.statusCode === 201) {
          const record = JSON.stringify({ stage: req.method === 'POST', attachments: kept });
          fs.mkdirSync(this.dir, { recursive: true });
          fs.writeFileSync(this.file(name, version), record);
          if (stageId) {
            fs.writeFileSync(this.stageFile(stageId), record);
          }
        }
      });
      return next();
    });

    app.use((req, res, next) => {
      if (req.method !== 'GET') {
        return next();
      }
      if (req.path.startsWith(RECEIVED_PREFIX)) {
        const rest = req.path.slice(RECEIVED_PREFIX.length);
        const cut = rest.lastIndexOf('/');
        const name = decodeURIComponent(rest.slice(0, cut));
        const version = decodeURIComponent(rest.slice(cut + 1));
        const found = this.read(name, version);
        if (!found) {
          return res.status(404).json({ error: 'no provenance received for this version' });
        }
        return res.status(200).json(found);
      }
      const staged = STAGED_ATTESTATIONS.exec(req.path);
      if (staged) {
        if (!req.headers.authorization) {
          return res.status(401).json({ error: 'staged versions are visible to their maintainers only' });
        }
        let found = null;
        try {
          found = JSON.parse(fs.readFileSync(this.stageFile(staged[1]), 'utf8'));
        } catch (err) {
          found = null;
        }
        if (!found) {
          return res.status(404).json({ error: 'no attestations for this staged version' });
        }
        return res.status(200).json(this.answer(found));
      }
      if (req.path.startsWith(ATTESTATIONS_PREFIX)) {
        const spec = decodeURIComponent(req.path.slice(ATTESTATIONS_PREFIX.length));
        const at = spec.lastIndexOf('@');
        const name = spec.slice(0, at);
        const version = spec.slice(at + 1);
        storage.getPackageLocalMetadata(name).then((manifest) => {
          const found = this.read(name, version);
          if (!found || !manifest || !manifest.versions || !manifest.versions[version]) {
            return res.status(404).json({ error: 'no attestations for this version' });
          }
          return res.status(200).json(this.answer(found));
        }).catch(() => res.status(404).json({ error: 'no such package' }));
        return undefined;
      }
      return next();
    });
  }
}

module.exports = function plugin(pluginConfig, options) {
  return new ReleasekitProvenance(pluginConfig, options);
};
