-- CreateTable
CREATE TABLE "WorkingHours" (
    "userId" TEXT NOT NULL PRIMARY KEY,
    "startMinute" INTEGER NOT NULL,
    "endMinute" INTEGER NOT NULL,
    "days" TEXT NOT NULL,
    "updatedAt" DATETIME NOT NULL
);

