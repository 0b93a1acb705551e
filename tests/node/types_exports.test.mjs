// index.d.ts matches the exported JS: every value the module exports is declared there, and
// every value declared there is exported; for each exported class, every public member of its
// prototype is declared, and every member declared on it exists at run time. Read with the
// TypeScript compiler's own API, so the check is what a user's type checker sees.
import test from 'node:test';
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const ts = require('typescript');
const rtckit = require('../..');
const dts = path.join(here, '..', '..', 'bindings-node', 'lib', 'index.d.ts');

const program = ts.createProgram([dts], { strict: true, target: ts.ScriptTarget.ES2022, lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'] });
const checker = program.getTypeChecker();
const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(dts));

const typeOnly = (s) => (s.declarations ?? []).some((d) => ts.isTypeOnlyImportOrExportDeclaration?.(d) || (ts.isExportSpecifier(d) && (d.isTypeOnly || d.parent.parent.isTypeOnly)));

/** The value exports (classes, functions, constants) of the module, by name. */
function moduleExports(symbol) {
  const out = new Map();
  for (let s of checker.getExportsOfModule(symbol)) {
    if (typeOnly(s)) continue;
    const name = s.getName();
    if (s.flags & ts.SymbolFlags.Alias) s = checker.getAliasedSymbol(s);
    if (s.flags & ts.SymbolFlags.Value) out.set(name, s);
  }
  return out;
}

/** The members of a declared constant's object type (`nonstandard`), by name; a member typed
 * `typeof SomeClass` gives that class's symbol. */
function objectMembers(symbol) {
  const out = new Map();
  const type = checker.getTypeOfSymbolAtLocation(symbol, symbol.valueDeclaration);
  for (const p of checker.getPropertiesOfType(type)) {
    const classSymbol = checker.getTypeOfSymbolAtLocation(p, p.valueDeclaration).getSymbol();
    out.set(p.getName(), classSymbol && classSymbol.flags & ts.SymbolFlags.Class ? classSymbol : p);
  }
  return out;
}

/** Members a class declares itself in index.d.ts that live on the prototype (methods,
 * accessors), by name: a declared property may be a field each instance gets in its
 * constructor. */
function declaredMembers(symbol, isStatic) {
  const all = new Set();
  const onPrototype = new Set();
  for (const decl of symbol.declarations ?? []) {
    if (!ts.isClassDeclaration(decl)) continue;
    for (const member of decl.members) {
      if (!member.name || ts.isConstructorDeclaration(member)) continue;
      const staticMember = (ts.getCombinedModifierFlags(member) & ts.ModifierFlags.Static) !== 0;
      if (staticMember !== isStatic) continue;
      all.add(member.name.getText());
      if (!ts.isPropertyDeclaration(member)) onPrototype.add(member.name.getText());
    }
  }
  return { all, onPrototype };
}

/** Public members along a prototype chain up to (not including) what the platform gives. */
function runtimeMembers(object, stopAt) {
  const names = new Set();
  for (let o = object; o && o !== stopAt && o !== Object.prototype && o !== Function.prototype; o = Object.getPrototypeOf(o)) {
    if ([EventTarget, Event, Map].some((c) => o === c || o === c.prototype)) break;
    for (const name of Object.getOwnPropertyNames(o)) {
      if (name === 'constructor' || name === 'prototype' || name === 'length' || name === 'name' || name.startsWith('_')) continue;
      names.add(name);
    }
  }
  return names;
}

function compare(where, runtime, declared, mustExist = declared) {
  const undeclared = [...runtime].filter((n) => !declared.has(n)).sort();
  const missing = [...mustExist].filter((n) => !runtime.has(n)).sort();
  assert.deepEqual({ undeclared, missing }, { undeclared: [], missing: [] }, where);
}

for (const [label, value, declaredOf] of [
  ['rtckit', rtckit, () => moduleExports(moduleSymbol)],
  ['rtckit.nonstandard', rtckit.nonstandard, () => objectMembers(moduleExports(moduleSymbol).get('nonstandard'))],
]) {
  test(`index.d.ts declares exactly what ${label} exports`, () => {
    const declared = declaredOf();
    compare(label, new Set(Object.keys(value)), new Set(declared.keys()));
    for (const [name, s] of declared) {
      if (!(s.flags & ts.SymbolFlags.Class) || typeof value[name] !== 'function') continue;
      const cls = value[name];
      // What the type offers (its own members, those of the classes it extends, lib.dom's)
      // against what runs; and what it declares itself against what runs.
      const offered = (type) => new Set(checker.getPropertiesOfType(type).map((p) => p.getName()));
      const instanceType = checker.getDeclaredTypeOfSymbol(s);
      const staticType = checker.getTypeOfSymbolAtLocation(s, s.valueDeclaration);
      compare(`${label}.${name} (instance members)`, runtimeMembers(cls.prototype), offered(instanceType), declaredMembers(s, false).onPrototype);
      compare(`${label}.${name} (static members)`, runtimeMembers(cls, Function.prototype), offered(staticType), declaredMembers(s, true).onPrototype);
    }
  });
}
