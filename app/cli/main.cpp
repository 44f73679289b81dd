#include "app/cli/cli.h"

#include <iostream>

int main(int argc, char** argv)
{
    return lorsa::cli::runLorsaCli(argc, argv, std::cout, std::cerr);
}
