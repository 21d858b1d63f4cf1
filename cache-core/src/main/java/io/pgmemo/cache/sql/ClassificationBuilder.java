package io.pgmemo.cache.sql;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.Set;

/** Accumulates the findings of the parts of a statement (CTE bodies, main statement, EXPLAIN target). */
final class ClassificationBuilder {

    StatementKind kind;
    String command;
    final Set<FunctionCall> functionCalls = new LinkedHashSet<>();
    final Set<String> sqlValueFunctions = new LinkedHashSet<>();
    final Set<String> operators = new LinkedHashSet<>();
    final Set<QualifiedName> relationNames = new LinkedHashSet<>();
    final Set<String> blockers = new LinkedHashSet<>();
    boolean timeDependent;
    final Set<QualifiedName> writeTargets = new LinkedHashSet<>();
    boolean mayWriteElsewhere;
    boolean changesCatalog;
    final Set<PreparedStatementEffect> preparedStatements = EnumSet.noneOf(PreparedStatementEffect.class);

    ClassificationBuilder(StatementKind kind, String command) {
        this.kind = kind;
        this.command = command;
    }

    /** A statement that may do anything: forwarded, never cached, invalidates the database. */
    static Classification unknown(String command, String reason) {
        ClassificationBuilder b = new ClassificationBuilder(StatementKind.UNKNOWN, command);
        b.blockers.add(reason);
        return b.anything().build();
    }

    /** Marks the statement as possibly changing any data and any catalog entry. */
    ClassificationBuilder anything() {
        mayWriteElsewhere = true;
        changesCatalog = true;
        return this;
    }

    /** Adds everything found in a part of this statement; the kind stays this builder's. */
    void absorb(Classification part) {
        functionCalls.addAll(part.functionCalls());
        sqlValueFunctions.addAll(part.sqlValueFunctions());
        operators.addAll(part.operators());
        relationNames.addAll(part.relationNames());
        blockers.addAll(part.blockers());
        timeDependent |= part.timeDependent();
        writeTargets.addAll(part.writeTargets());
        mayWriteElsewhere |= part.mayWriteElsewhere();
        changesCatalog |= part.changesCatalog();
        preparedStatements.addAll(part.preparedStatements());
    }

    Classification build() {
        return new Classification(kind, command, new ArrayList<>(functionCalls), sqlValueFunctions, operators,
                new ArrayList<>(relationNames), new ArrayList<>(blockers), timeDependent,
                new ArrayList<>(writeTargets), mayWriteElsewhere, changesCatalog, preparedStatements);
    }
}
