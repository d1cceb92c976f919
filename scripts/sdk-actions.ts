/**
 * Lists the AWS calls each Lambda entry point can make, as IAM actions, from its source: the build
 * writes them into dist/manifest.json (`permissions`) and test/terraform/permissions.tftest.hcl checks
 * every function's role against them, so a role can neither lack an action its code sends nor hold one
 * its code never sends.
 *
 * How: the TypeScript checker walks what an entry point can reach, declaration by declaration, from
 * its module's top level: a function, a variable, an object literal's method. A call through an
 * interface (`store.getConnection(…)` on a `ConnectionStore`) reaches the object literal members that
 * implement that interface member, nothing else of the factory, so a function that imports the
 * connection store but only deletes connections needs DeleteItem alone. Every `new XxxCommand(…)`
 * reached is one AWS call: its package and name give the IAM action (`@aws-sdk/lib-dynamodb`'s
 * `GetCommand` is `dynamodb:GetItem`; a `TransactWriteCommand` is authorized per item as PutItem,
 * UpdateItem, DeleteItem or ConditionCheckItem, read from the literal `Put`/`Update`/`Delete`/
 * `ConditionCheck` keys of its items). A Query's `IndexName` is resolved to the indexes it can name
 * (a constant, or the constants assigned to the interface property it is read from; none: the table),
 * and a Management API command to the HTTP method of its resource ARN.
 *
 * Anything it cannot read (an SDK import it does not know, a transaction without literal items, an
 * index it cannot resolve) is an error naming the source line, never a silent omission.
 *
 *   npx tsx scripts/sdk-actions.ts   # prints every function's permissions
 */
import path from 'node:path';
import ts from 'typescript';

/** What one function's code calls, in IAM terms; every list sorted. */
export interface FunctionPermissions {
  /** IAM actions, for example `dynamodb:GetItem`, `sqs:SendMessage`, `execute-api:ManageConnections`. */
  actions: string[];
  /** Where its Queries run: index names (`GSI1`) and `table` for the base table. Empty without Query. */
  queryIndexes: string[];
  /** HTTP methods of its Management API calls (`POST` PostToConnection, `DELETE` DeleteConnection, `GET` GetConnection). */
  connectionMethods: string[];
}

const ROOT = path.resolve(__dirname, '..');

/** `@aws-sdk/lib-dynamodb` commands → the DynamoDB operation they send. */
const DOCUMENT_COMMANDS: Record<string, string> = {
  GetCommand: 'GetItem',
  PutCommand: 'PutItem',
  UpdateCommand: 'UpdateItem',
  DeleteCommand: 'DeleteItem',
  QueryCommand: 'Query',
  ScanCommand: 'Scan',
  BatchGetCommand: 'BatchGetItem',
  BatchWriteCommand: 'BatchWriteItem',
  TransactGetCommand: 'TransactGetItems',
  TransactWriteCommand: 'TransactWriteItems',
};

/** IAM service prefix of each SDK client package. */
const SERVICE_PREFIXES: Record<string, string> = {
  '@aws-sdk/client-dynamodb': 'dynamodb',
  '@aws-sdk/lib-dynamodb': 'dynamodb',
  '@aws-sdk/client-sqs': 'sqs',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-secrets-manager': 'secretsmanager',
  '@aws-sdk/client-scheduler': 'scheduler',
  '@aws-sdk/client-apigatewaymanagementapi': 'execute-api',
};

/** Operations IAM authorizes under another action (batch calls under their single action). */
const ACTION_OF_OPERATION: Record<string, string> = {
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'dynamodb:TransactGetItems': 'dynamodb:GetItem',
};

/** Actions an operation needs besides its own: CreateSchedule and UpdateSchedule pass the target's role. */
const ALSO_NEEDS: Record<string, string[]> = {
  'scheduler:CreateSchedule': ['iam:PassRole'],
  'scheduler:UpdateSchedule': ['iam:PassRole'],
};

/** SDK packages that only convert values and send nothing (`marshall`, `unmarshall`). */
const SENDS_NOTHING = new Set(['@aws-sdk/util-dynamodb']);

const CONNECTION_METHODS: Record<string, string> = {
  PostToConnectionCommand: 'POST',
  DeleteConnectionCommand: 'DELETE',
  GetConnectionCommand: 'GET',
};

/** `{ Put: { TableName: … } }` and its kin: one item of a TransactWriteItems. */
function isTransactItem(node: ts.Node): node is ts.PropertyAssignment & { name: ts.Identifier } {
  return (
    ts.isPropertyAssignment(node) &&
    ts.isIdentifier(node.name) &&
    TRANSACT_ITEM_ACTIONS[node.name.text] !== undefined &&
    ts.isObjectLiteralExpression(node.initializer) &&
    node.initializer.properties.some((property) => property.name !== undefined && ts.isIdentifier(property.name) && property.name.text === 'TableName')
  );
}

const TRANSACT_ITEM_ACTIONS: Record<string, string> = {
  Put: 'dynamodb:PutItem',
  Update: 'dynamodb:UpdateItem',
  Delete: 'dynamodb:DeleteItem',
  ConditionCheck: 'dynamodb:ConditionCheckItem',
};

class AnalysisError extends Error {}

const where = (node: ts.Node): string => {
  const file = node.getSourceFile();
  const { line } = file.getLineAndCharacterOfPosition(node.getStart());
  return `${path.relative(ROOT, file.fileName)}:${line + 1}`;
};

const sorted = (values: Iterable<string>): string[] => [...new Set(values)].sort();

/** A program over the given entry points (paths relative to the repository), with the project's settings. */
export function createProgram(entries: readonly string[]): ts.Program {
  const configPath = path.join(ROOT, 'tsconfig.json');
  const { config } = ts.readConfigFile(configPath, (file) => ts.sys.readFile(file));
  const { options } = ts.parseJsonConfigFileContent(config, ts.sys, ROOT);
  return ts.createProgram({ rootNames: entries.map((entry) => path.join(ROOT, entry)), options: { ...options, noEmit: true } });
}

/** The permissions of one entry point of `program`. */
export function analyzeEntry(program: ts.Program, entry: string): FunctionPermissions {
  const checker = program.getTypeChecker();
  const isProjectFile = (file: ts.SourceFile) => !file.isDeclarationFile && !file.fileName.includes('/node_modules/');
  const projectFiles = program.getSourceFiles().filter(isProjectFile);

  // Interface member → the object literal members implementing it (by the literal's contextual type).
  const implementations = new Map<ts.Symbol, ts.Node[]>();
  // Interface property → the initializers assigned to it in object literals (for IndexName).
  const assignments = new Map<ts.Symbol, ts.Expression[]>();
  const indexNameAssignments = new Map<string, ts.Expression[]>();
  const memberOf = (literal: ts.ObjectLiteralExpression, name: string): ts.Symbol[] => {
    const type = checker.getContextualType(literal);
    if (!type) return [];
    const types = type.isUnion() ? type.types : [type];
    return types.map((t) => t.getProperty(name)).filter((s): s is ts.Symbol => s !== undefined);
  };
  for (const file of projectFiles) {
    const scan = (node: ts.Node): void => {
      if (ts.isObjectLiteralExpression(node)) {
        for (const property of node.properties) {
          if (!property.name || !(ts.isIdentifier(property.name) || ts.isStringLiteral(property.name))) continue;
          for (const member of memberOf(node, property.name.text)) {
            if (!member.declarations?.some((d) => d.getSourceFile() !== file || d.parent !== node)) continue;
            implementations.set(member, [...(implementations.get(member) ?? []), property]);
            if (ts.isPropertyAssignment(property)) assignments.set(member, [...(assignments.get(member) ?? []), property.initializer]);
          }
          if (ts.isPropertyAssignment(property) && property.name.text === 'IndexName') {
            indexNameAssignments.set('IndexName', [...(indexNameAssignments.get('IndexName') ?? []), property.initializer]);
          }
        }
      }
      ts.forEachChild(node, scan);
    };
    scan(file);
  }

  const entryFile = program.getSourceFile(path.join(ROOT, entry));
  if (!entryFile) throw new AnalysisError(`${entry} is not part of the program`);

  // The modules this entry loads: its import graph.
  const loaded = new Set<ts.SourceFile>();
  const load = (file: ts.SourceFile): void => {
    if (loaded.has(file) || !isProjectFile(file)) return;
    loaded.add(file);
    for (const statement of file.statements) {
      if ((ts.isImportDeclaration(statement) || ts.isExportDeclaration(statement)) && statement.moduleSpecifier) {
        const module = checker.getSymbolAtLocation(statement.moduleSpecifier)?.valueDeclaration;
        if (module && ts.isSourceFile(module)) load(module);
      }
    }
  };
  load(entryFile);

  const isFunctionMember = (member: ts.Node): boolean => {
    if (ts.isMethodDeclaration(member) || ts.isGetAccessorDeclaration(member)) return true;
    const value = ts.isPropertyAssignment(member)
      ? member.initializer
      : ts.isShorthandPropertyAssignment(member)
        ? member.name
        : undefined;
    if (!value) return false;
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) return true;
    // A reference to a function; anything else (a call building the value) runs with the literal.
    if (!ts.isIdentifier(value) && !ts.isPropertyAccessExpression(value)) return false;
    const type = checker.getTypeAtLocation(value);
    return type.getCallSignatures().length > 0;
  };

  const reached = new Set<ts.Node>();
  const filesStarted = new Set<ts.SourceFile>();
  const queue: ts.Node[] = [];
  const commands: Array<{ node: ts.NewExpression; module: string; name: string }> = [];
  // Transaction items the entry's reachable code builds anywhere (`{ Update: { TableName, … } }`): a
  // TransactWriteItems whose items are made by helpers or passed in by a caller may send any of them.
  const transactItemsBuilt = new Set<string>();

  const reach = (node: ts.Node) => {
    if (reached.has(node)) return;
    reached.add(node);
    queue.push(node);
    const file = node.getSourceFile();
    if (!filesStarted.has(file)) {
      filesStarted.add(file);
      // A module's top-level statements run when it is loaded; its declarations only when used.
      for (const statement of file.statements) {
        if (!isDeclarationOnly(statement)) reach(statement);
      }
    }
  };

  const isDeclarationOnly = (statement: ts.Statement) =>
    ts.isFunctionDeclaration(statement) ||
    ts.isClassDeclaration(statement) ||
    ts.isInterfaceDeclaration(statement) ||
    ts.isTypeAliasDeclaration(statement) ||
    ts.isImportDeclaration(statement) ||
    ts.isExportDeclaration(statement) ||
    ts.isEnumDeclaration(statement) ||
    (ts.isVariableStatement(statement) && statement.declarationList.declarations.every((d) => !d.initializer || isInert(d.initializer)));

  // Initializers evaluated at load that can call nothing: literals, functions (not yet called), constants.
  const isInert = (expression: ts.Expression): boolean =>
    ts.isArrowFunction(expression) ||
    ts.isFunctionExpression(expression) ||
    ts.isLiteralExpression(expression) ||
    ts.isNoSubstitutionTemplateLiteral(expression) ||
    expression.kind === ts.SyntaxKind.TrueKeyword ||
    expression.kind === ts.SyntaxKind.FalseKeyword;

  const importOf = (symbol: ts.Symbol): { module: string; name: string } | undefined => {
    const declaration = symbol.declarations?.[0];
    if (!declaration || !ts.isImportSpecifier(declaration)) return undefined;
    const specifier = declaration.parent.parent.parent.moduleSpecifier;
    if (!ts.isStringLiteral(specifier)) return undefined;
    return { module: specifier.text, name: (declaration.propertyName ?? declaration.name).text };
  };

  const reachDeclaration = (declaration: ts.Declaration) => {
    if (!isProjectFile(declaration.getSourceFile())) return;
    if (ts.isInterfaceDeclaration(declaration) || ts.isTypeAliasDeclaration(declaration) || ts.isTypeParameterDeclaration(declaration)) return;
    if (ts.isBindingElement(declaration) && ts.isObjectBindingPattern(declaration.parent)) {
      // `{ cancelExpiry }` destructured from a typed object: calling it calls that member.
      const name = declaration.propertyName ?? declaration.name;
      const member = ts.isIdentifier(name) ? checker.getTypeAtLocation(declaration.parent).getProperty(name.text) : undefined;
      for (const d of member?.declarations ?? []) reachDeclaration(d);
      return;
    }
    if (ts.isParameter(declaration) || ts.isBindingElement(declaration)) return;
    if (ts.isPropertySignature(declaration) || ts.isMethodSignature(declaration)) {
      // A call through an interface runs the implementing members of the modules this entry loads.
      // Reading a data member runs nothing: its value was computed where the literal was built.
      const symbol = checker.getSymbolAtLocation(declaration.name);
      for (const implementation of (symbol && implementations.get(symbol)) ?? []) {
        if (loaded.has(implementation.getSourceFile()) && isFunctionMember(implementation)) reachDeclaration(implementation as ts.Declaration);
      }
      return;
    }
    if (ts.isShorthandPropertyAssignment(declaration)) {
      const value = checker.getShorthandAssignmentValueSymbol(declaration);
      for (const d of value?.declarations ?? []) reachDeclaration(d);
    }
    reach(declaration);
  };

  // A function defined inside reached code runs only when called: it is reached through a reference
  // to it (an identifier, a property, an interface member), not by being in a reached body. The
  // node being visited is itself always walked.
  const isDeferred = (node: ts.Node): boolean =>
    ts.isFunctionDeclaration(node) ||
    (ts.isVariableDeclaration(node) && node.initializer !== undefined && (ts.isArrowFunction(node.initializer) || ts.isFunctionExpression(node.initializer))) ||
    (ts.isObjectLiteralElement(node) && ts.isObjectLiteralExpression(node.parent) && isFunctionMember(node) && implementsMember(node));

  // A member of a literal typed by an interface that declares it: calls through the interface reach
  // it. The functions of any other literal (untyped, or typed by an index signature such as a
  // Record of handlers, which code may call by computed name) count as reached with the literal.
  const implementsMember = (member: ts.ObjectLiteralElement): boolean =>
    member.name !== undefined && (ts.isIdentifier(member.name) || ts.isStringLiteral(member.name)) && memberOf(member.parent as ts.ObjectLiteralExpression, member.name.text).length > 0;

  const visit = (root: ts.Node): void => {
    const walk = (node: ts.Node): void => {
      if (node !== root && isDeferred(node)) return;
      inspect(node);
    };
    const inspect = (node: ts.Node): void => {
      visitNode(node);
      if (!(ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node) || ts.isHeritageClause(node))) {
        ts.forEachChild(node, walk);
      }
    };
    inspect(root);
  };

  const visitNode = (node: ts.Node): void => {
    // Types call nothing; visiting an interface's members would reach every implementation.
    if (ts.isTypeNode(node) || ts.isInterfaceDeclaration(node) || ts.isTypeAliasDeclaration(node) || ts.isImportDeclaration(node)) return;
    if (ts.isHeritageClause(node)) return;
    if (isTransactItem(node)) transactItemsBuilt.add(TRANSACT_ITEM_ACTIONS[node.name.text]!);
    if (ts.isNewExpression(node) && ts.isIdentifier(node.expression)) {
      const symbol = checker.getSymbolAtLocation(node.expression);
      const imported = symbol && importOf(symbol);
      if (imported && imported.module.startsWith('@aws-sdk/') && imported.name.endsWith('Command')) {
        commands.push({ node, ...imported });
      }
    }
    if (ts.isIdentifier(node) && !isDeclarationName(node)) {
      let symbol = checker.getSymbolAtLocation(node);
      if (symbol) {
        const imported = importOf(symbol);
        if (imported?.module.startsWith('@aws-sdk/')) checkSdkImport(node, imported);
        if (symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
        for (const declaration of symbol.declarations ?? []) reachDeclaration(declaration);
      }
    }
  };

  const isDeclarationName = (node: ts.Identifier) => {
    const parent = node.parent;
    return (ts.isVariableDeclaration(parent) || ts.isFunctionDeclaration(parent) || ts.isMethodDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isParameter(parent)) && parent.name === node;
  };

  // The SDK is used through `new XxxCommand(…)` sent by a client; anything else (an aggregated
  // client's methods, a paginator) would send calls this analysis does not see. util-dynamodb only
  // converts attribute values and sends nothing.
  const checkSdkImport = (node: ts.Identifier, imported: { module: string; name: string }) => {
    const { name } = imported;
    if (SENDS_NOTHING.has(imported.module)) return;
    if (/(Command|Client|Exception)$/.test(name) && !name.startsWith('paginate')) return;
    throw new AnalysisError(`${where(node)}: ${name} from ${imported.module} is not a command, a client or an exception; sdk-actions cannot tell what it sends`);
  };

  // The entry module's every statement: its top level runs at load, its exports are what Lambda calls.
  filesStarted.add(entryFile);
  for (const statement of entryFile.statements) {
    if (ts.isVariableStatement(statement)) statement.declarationList.declarations.forEach(reach);
    else reach(statement);
  }
  while (queue.length > 0) visit(queue.shift()!);

  const actions = new Set<string>();
  const queryIndexes = new Set<string>();
  const connectionMethods = new Set<string>();
  for (const command of commands) {
    const prefix = SERVICE_PREFIXES[command.module];
    if (!prefix) throw new AnalysisError(`${where(command.node)}: ${command.name} comes from ${command.module}, a package sdk-actions does not map to IAM`);
    const operation = command.module === '@aws-sdk/lib-dynamodb' ? DOCUMENT_COMMANDS[command.name] : command.name.replace(/Command$/, '');
    if (!operation) throw new AnalysisError(`${where(command.node)}: ${command.name} of ${command.module} is not mapped to a DynamoDB operation`);
    if (prefix === 'execute-api') {
      const method = CONNECTION_METHODS[command.name];
      if (!method) throw new AnalysisError(`${where(command.node)}: ${command.name} is not a Management API command sdk-actions knows`);
      actions.add('execute-api:ManageConnections');
      connectionMethods.add(method);
      continue;
    }
    const operationAction = `${prefix}:${operation}`;
    if (operationAction === 'dynamodb:TransactWriteItems') {
      for (const action of transactionActions(command.node)) actions.add(action);
      continue;
    }
    const action = ACTION_OF_OPERATION[operationAction] ?? operationAction;
    actions.add(action);
    for (const also of ALSO_NEEDS[action] ?? []) actions.add(also);
    if (action === 'dynamodb:Query') for (const index of indexesOf(command.node)) queryIndexes.add(index);
  }
  return { actions: sorted(actions), queryIndexes: sorted(queryIndexes), connectionMethods: sorted(connectionMethods) };

  function transactionActions(node: ts.NewExpression): string[] {
    const found = new Set<string>();
    const scan = (child: ts.Node): void => {
      if (ts.isPropertyAssignment(child) && ts.isIdentifier(child.name) && TRANSACT_ITEM_ACTIONS[child.name.text]) {
        found.add(TRANSACT_ITEM_ACTIONS[child.name.text]!);
        return; // an item's own properties (Key, Item…) name no further items
      }
      ts.forEachChild(child, scan);
    };
    for (const argument of node.arguments ?? []) scan(argument);
    if (found.size > 0) return [...found];
    // Items built elsewhere: every item the function's reachable code builds.
    if (transactItemsBuilt.size === 0) {
      throw new AnalysisError(`${where(node)}: the TransactWriteItems items must be { Put | Update | Delete | ConditionCheck: { TableName, … } } literals the function's code builds`);
    }
    return [...transactItemsBuilt];
  }

  function indexesOf(node: ts.NewExpression): string[] {
    const input = node.arguments?.[0];
    if (!input) throw new AnalysisError(`${where(node)}: a Query without input`);
    return fromObject(input, node);
  }

  // The indexes one Query input object can name; 'table' when it has no IndexName.
  function fromObject(expression: ts.Expression, command: ts.Node): string[] {
    const literal = unwrap(expression);
    if (ts.isCallExpression(literal)) {
      // A helper building the input: read the object literal it returns.
      const symbol = checker.getSymbolAtLocation(literal.expression);
      const declaration = symbol?.declarations?.[0];
      const body = declaration && ts.isVariableDeclaration(declaration) && declaration.initializer && ts.isArrowFunction(declaration.initializer) ? declaration.initializer.body : undefined;
      if (body && !ts.isBlock(body)) return fromObject(body, command);
      throw new AnalysisError(`${where(literal)}: the Query input of ${where(command)} comes from a call sdk-actions cannot read (use an arrow function returning an object literal)`);
    }
    if (!ts.isObjectLiteralExpression(literal)) throw new AnalysisError(`${where(command)}: the Query input must be an object literal`);
    const indexes: string[] = [];
    let named = false;
    for (const property of literal.properties) {
      if (ts.isSpreadAssignment(property)) {
        const spread = fromObject(property.expression, command);
        if (!(spread.length === 1 && spread[0] === 'table')) {
          named = true;
          indexes.push(...spread);
        }
      } else if (property.name && ts.isIdentifier(property.name) && property.name.text === 'IndexName') {
        if (!ts.isPropertyAssignment(property)) throw new AnalysisError(`${where(property)}: IndexName must be assigned a value`);
        named = true;
        indexes.push(...valuesOf(property.initializer));
      }
    }
    return named ? indexes : ['table'];
  }

  // The index names an expression can hold; 'table' for undefined.
  function valuesOf(expression: ts.Expression): string[] {
    const value = unwrap(expression);
    if (ts.isStringLiteral(value) || ts.isNoSubstitutionTemplateLiteral(value)) return [value.text];
    if (value.kind === ts.SyntaxKind.UndefinedKeyword || (ts.isIdentifier(value) && value.text === 'undefined')) return ['table'];
    let symbol = checker.getSymbolAtLocation(ts.isPropertyAccessExpression(value) ? value.name : value);
    if (symbol && symbol.flags & ts.SymbolFlags.Alias) symbol = checker.getAliasedSymbol(symbol);
    const declaration = symbol?.declarations?.[0];
    if (declaration && ts.isVariableDeclaration(declaration) && declaration.initializer) return valuesOf(declaration.initializer);
    if (symbol && declaration && (ts.isPropertySignature(declaration) || ts.isPropertyDeclaration(declaration))) {
      // Read from an interface property: whatever the reached object literals assign to it (by the
      // literal's type, or by name where the literal is typed by inference, e.g. in a callback).
      const values = [...(assignments.get(symbol) ?? []), ...(indexNameAssignments.get(symbol.name) ?? [])]
        .filter((initializer) => isReached(initializer) && !ts.isPropertyAccessExpression(unwrap(initializer)))
        .flatMap(valuesOf);
      if (declaration.questionToken) values.push('table');
      if (values.length === 0) throw new AnalysisError(`${where(expression)}: no reached object literal assigns ${symbol.name}`);
      return values;
    }
    throw new AnalysisError(`${where(expression)}: cannot tell which index this IndexName names (use a constant)`);
  }

  function isReached(node: ts.Node): boolean {
    for (let current: ts.Node | undefined = node; current; current = current.parent) if (reached.has(current)) return true;
    return false;
  }

  function unwrap(expression: ts.Expression): ts.Expression {
    let current = expression;
    while (ts.isParenthesizedExpression(current) || ts.isAsExpression(current) || ts.isSatisfiesExpression(current) || ts.isNonNullExpression(current)) current = current.expression;
    return current;
  }
}

/** The permissions of every entry point, by name, over one program. */
export function analyzeEntries<Name extends string>(entries: ReadonlyArray<readonly [Name, string]>): Record<Name, FunctionPermissions> {
  const program = createProgram(entries.map(([, entry]) => entry));
  return Object.fromEntries(entries.map(([name, entry]) => [name, analyzeEntry(program, entry)])) as Record<Name, FunctionPermissions>;
}

if (require.main === module) {
  // Imported here so that build.ts can import this module without a cycle at load.
  void import('./build').then(({ ENTRY_POINTS }) => {
    console.log(JSON.stringify(analyzeEntries(ENTRY_POINTS), null, 2));
  });
}
